import type { Queryable } from '../../database/database.service';
import type { EffectWriter } from './effect-writer';

export type AgentTaskEffect =
  | {
      type: 'create_agent_task';
      userId: string;
      taskType: string;
      agentType: string;
      scheduledFor: Date;
      contextJson: Record<string, unknown>;
      contextId?: string | null;
      contextType?: string | null;
      /** `agent_tasks.priority`; default medium. */
      priority?: 'urgent' | 'high' | 'medium' | 'low';
      /** Pending tasks of this type for the user are cancelled first (one re-engagement at a time). */
      replacePending?: boolean;
    }
  /** Cancels the user's pending tasks of one type (e.g. re-engagement once onboarding is complete). */
  | { type: 'cancel_agent_tasks'; userId: string; taskType: string };

/** The tasks family: `agent_tasks` rows of the user. */
export const AGENT_TASKS_WRITER: EffectWriter<AgentTaskEffect> = {
  types: ['create_agent_task', 'cancel_agent_tasks'],
  async apply(client: Queryable, effect: AgentTaskEffect): Promise<void> {
    if (effect.type === 'cancel_agent_tasks' || effect.replacePending) {
      await client.query(
        `UPDATE agent_tasks SET status = 'cancelled' WHERE user_id = $1 AND task_type = $2 AND status = 'pending'`,
        [effect.userId, effect.taskType],
      );
    }
    if (effect.type === 'cancel_agent_tasks') return;
    await client.query(
      `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, scheduled_for, context_json,
         priority, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'realtime-processor')`,
      [
        effect.taskType,
        effect.agentType,
        effect.userId,
        effect.contextId ?? null,
        effect.contextType ?? null,
        effect.scheduledFor,
        effect.contextJson,
        effect.priority ?? 'medium',
      ],
    );
  },
};
