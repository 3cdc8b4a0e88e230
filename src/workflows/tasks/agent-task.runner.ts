import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../../config/environment';
import { errorText } from '../../routing/error-text';
import { retryDelayMs, type RetryPolicy } from '../../routing/retry-policy';
import { InvalidTaskError, TASK_WORKFLOWS, type AgentTask, type TaskWorkflow } from './agent-task';
import { AgentTaskRepository } from './agent-task.repository';

/**
 * Runs due `agent_tasks` of the types that have a workflow here, so nothing depends on a service
 * outside this project. Other task types stay untouched. A failed task is retried with backoff
 * until its `max_retries`, then `failed` with the error kept in `error_log`.
 */
@Injectable()
export class AgentTaskRunner {
  private readonly logger = new Logger(AgentTaskRunner.name);
  private readonly workflows: Map<string, TaskWorkflow>;
  private readonly taskTypes: string[];
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;

  constructor(
    private readonly repository: AgentTaskRepository,
    config: ConfigService<Environment, true>,
    @Inject(TASK_WORKFLOWS) workflows: TaskWorkflow[],
  ) {
    this.workflows = new Map(workflows.map((workflow) => [workflow.taskType, workflow]));
    this.taskTypes = [...this.workflows.keys()];
    this.batchSize = config.get('TASK_BATCH_SIZE', { infer: true });
    this.retry = {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      baseDelayMs: config.get('RETRY_BASE_DELAY_MS', { infer: true }),
      maxDelayMs: config.get('RETRY_MAX_DELAY_MS', { infer: true }),
    };
  }

  /** Runs due tasks one by one, up to the batch size; returns how many ran. */
  async runDue(signal: AbortSignal): Promise<number> {
    let ran = 0;
    while (ran < this.batchSize && !signal.aborted) {
      const outcome = await this.repository.runNext(
        this.taskTypes,
        (client, task) => this.workflowOf(task).run(client, task),
        (task, error) => this.describeFailure(task, error),
      );
      if (!outcome) break;
      ran += 1;
      const ids = { taskId: outcome.task.id, taskType: outcome.task.taskType };
      if (outcome.result === 'completed') this.logger.log({ event: 'task_completed', ...ids }, 'task completed');
      else if (outcome.result === 'failed') this.logger.error({ event: 'task_failed', ...ids }, 'task failed for good');
      else this.logger.warn({ event: 'task_retry', ...ids }, 'task failed; will retry');
    }
    return ran;
  }

  private workflowOf(task: AgentTask): TaskWorkflow {
    const workflow = this.workflows.get(task.taskType);
    if (!workflow) throw new InvalidTaskError(`no workflow for task type ${task.taskType}`);
    return workflow;
  }

  private describeFailure(task: AgentTask, error: unknown): { error: string; retryInMs: number | null } {
    const text = errorText(error);
    if (error instanceof InvalidTaskError) return { error: text, retryInMs: null };
    return { error: text, retryInMs: retryDelayMs(this.retry, task.retryCount + 1) };
  }
}
