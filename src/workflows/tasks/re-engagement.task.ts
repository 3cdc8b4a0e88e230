import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { MemberRepository } from '../member.repository';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';

/**
 * `re_engagement_check` → the inbound system row the agents' re-engagement flow reads
 * (src/agents/context/turn-trigger.ts): `{"type":"re_engagement_check", attemptCount, ...}` in the
 * user's active conversation. The row wakes the user's agent like any inbound text, so the nudge
 * (or the decision to stay quiet) is a normal, claimed, fenced turn.
 */
@Injectable()
export class ReengagementTask implements TaskWorkflow {
  readonly taskType = 're_engagement_check';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    if (!task.userId) throw new InvalidTaskError('re_engagement_check task has no user_id');
    const conversationId = await this.members.activeConversation(client, task.userId);
    if (!conversationId) throw new InvalidTaskError(`user ${task.userId} has no active conversation`);
    const attempt = task.contextJson.attemptCount;
    const content = {
      ...task.contextJson,
      type: 're_engagement_check',
      attemptCount: typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1,
      agentType: task.agentType,
      taskId: task.id,
    };
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
       VALUES ($1, $2, 'system', $3, 'inbound', 'pending') RETURNING id`,
      [conversationId, task.userId, JSON.stringify(content)],
    );
    return { systemMessageId: inserted.rows[0].id, conversationId };
  }
}
