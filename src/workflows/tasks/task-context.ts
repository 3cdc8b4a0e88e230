import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { problems } from '../workflow-payload';
import { InvalidTaskError, type AgentTask } from './agent-task';

/**
 * The task's `context_json` as its DTO, or an InvalidTaskError listing every problem (field and
 * rule, never a value): a task whose context can never be valid is failed at once, not retried.
 */
export function parseTaskContext<T extends object>(dto: new () => T, task: AgentTask): T {
  const instance = plainToInstance(dto, task.contextJson);
  const errors = validateSync(instance, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new InvalidTaskError(`invalid ${task.taskType} context: ${[...new Set(problems(errors))].join('; ')}`);
  }
  return instance;
}

/** The task's user, required by every member-facing task. */
export function taskUser(task: AgentTask): string {
  if (!task.userId) throw new InvalidTaskError(`${task.taskType} task has no user_id`);
  return task.userId;
}
