import type { PoolClient } from 'pg';

/** A due `agent_tasks` row, claimed by the runner. */
export interface AgentTask {
  id: string;
  taskType: string;
  agentType: string;
  userId: string | null;
  contextId: string | null;
  contextType: string | null;
  contextJson: Record<string, unknown>;
  retryCount: number;
  maxRetries: number;
}

/**
 * Runs one task type inside the transaction that holds the task's row lock; what it writes commits
 * together with the task's `completed` state, or not at all. Returns the `result_json`.
 */
export interface TaskWorkflow {
  readonly taskType: string;
  run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>>;
}

/** A task that can never succeed (no user, no conversation): failed at once, with this message. */
export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTaskError';
}

export const TASK_WORKFLOWS = Symbol('TASK_WORKFLOWS');
