import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DatabaseService } from '../../database/database.service';
import type { AgentTask } from './agent-task';

interface TaskRow {
  id: string;
  task_type: string;
  agent_type: string;
  user_id: string | null;
  context_id: string | null;
  context_type: string | null;
  context_json: unknown;
  retry_count: number;
  max_retries: number;
}

export type TaskRunResult = 'completed' | 'retry' | 'failed';

/**
 * SQL of the task runner. One due task at a time is locked with FOR UPDATE SKIP LOCKED (so
 * instances never take the same one) and worked on inside that transaction: a crash rolls back
 * and leaves it pending; a failure is recorded after rolling back to a savepoint.
 */
@Injectable()
export class AgentTaskRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Runs the oldest due task of `taskTypes` through `work`; null when none is due. Lanes are
   * compared as numbers (urgent first), never as text.
   */
  runNext(
    taskTypes: readonly string[],
    work: (client: PoolClient, task: AgentTask) => Promise<Record<string, unknown>>,
    onError: (task: AgentTask, error: unknown) => { error: string; retryInMs: number | null },
  ): Promise<{ task: AgentTask; result: TaskRunResult } | null> {
    return this.database.transaction(async (client) => {
      const claimed = await client.query<TaskRow>(
        `SELECT id, task_type, agent_type, user_id, context_id, context_type, context_json, retry_count, max_retries
         FROM agent_tasks
         WHERE status = 'pending' AND scheduled_for <= now() AND task_type = ANY($1::text[])
         ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, scheduled_for, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED`,
        [taskTypes],
      );
      const row = claimed.rows[0];
      if (!row) return null;
      const task = toTask(row);
      await client.query('SAVEPOINT task_work');
      try {
        const result = await work(client, task);
        await client.query('RELEASE SAVEPOINT task_work');
        await client.query(
          `UPDATE agent_tasks SET status = 'completed', completed_at = now(), last_attempted_at = now(),
             result_json = $2, error_log = NULL
           WHERE id = $1`,
          [task.id, result],
        );
        return { task, result: 'completed' };
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT task_work');
        const failure = onError(task, error);
        const attempts = task.retryCount + 1;
        const dead = failure.retryInMs === null || attempts >= task.maxRetries;
        await client.query(
          `UPDATE agent_tasks SET retry_count = $2, last_attempted_at = now(), error_log = $3,
             status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
             scheduled_for = CASE WHEN $4 THEN scheduled_for ELSE now() + $5 * interval '1 millisecond' END
           WHERE id = $1`,
          [task.id, attempts, failure.error, dead, failure.retryInMs ?? 0],
        );
        return { task, result: dead ? 'failed' : 'retry' };
      }
    });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function toTask(row: TaskRow): AgentTask {
  return {
    id: row.id,
    taskType: row.task_type,
    agentType: row.agent_type,
    userId: row.user_id,
    contextId: row.context_id,
    contextType: row.context_type,
    contextJson: isRecord(row.context_json) ? row.context_json : {},
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
  };
}
