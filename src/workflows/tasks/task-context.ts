import { validated } from '../workflow-payload';
import { InvalidTaskError, type AgentTask } from './agent-task';

/**
 * The task's `context_json` as its DTO, or an InvalidTaskError listing every problem (field and
 * rule, never a value): a task whose context can never be valid is failed at once, not retried.
 */
export function parseTaskContext<T extends object>(dto: new () => T, task: AgentTask): T {
  const { instance, problems } = validated(dto, task.contextJson);
  if (problems.length > 0) throw new InvalidTaskError(`invalid ${task.taskType} context: ${problems.join('; ')}`);
  return instance;
}

/** The task's user, required by every member-facing task. */
export function taskUser(task: AgentTask): string {
  if (!task.userId) throw new InvalidTaskError(`${task.taskType} task has no user_id`);
  return task.userId;
}
