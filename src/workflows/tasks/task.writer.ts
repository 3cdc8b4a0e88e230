import type { Queryable } from '../../database/database.service';
import { WORKFLOWS } from '../workflow-effects';

export type TaskPriority = 'urgent' | 'high' | 'medium' | 'low';

export interface NewTask {
  taskType: string;
  agentType: string;
  userId: string;
  contextId?: string | null;
  contextType?: string | null;
  priority?: TaskPriority;
  /** Due this long from now (0 = at once). */
  delayMs?: number;
  /** Self-contained input of the task: ids and settings, never a message body in logs. */
  context: Record<string, unknown>;
}

/** Inserts a pending `agent_tasks` row inside the caller's transaction; returns its id. */
export async function scheduleTask(client: Queryable, task: NewTask): Promise<string> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, scheduled_for, priority,
       context_json, created_by)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', $7, $8, $9)
     RETURNING id`,
    [
      task.taskType,
      task.agentType,
      task.userId,
      task.contextId ?? null,
      task.contextType ?? null,
      task.delayMs ?? 0,
      task.priority ?? 'medium',
      task.context,
      WORKFLOWS,
    ],
  );
  return inserted.rows[0].id;
}
