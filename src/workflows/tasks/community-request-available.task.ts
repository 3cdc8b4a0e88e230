import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { upsertPriority } from '../priority.writer';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { CommunityRequestContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

const EXPERT_SCORE: Record<string, number> = { high: 80, medium: 65, low: 50 };

/**
 * `community_request_available` (one per expert, from `community.request_needed`): the expert gets
 * a `community_request` priority, so their agent brings the question up. Nothing when the request
 * closed or expired meanwhile, or the expert already answered. The priority is an upsert: a
 * duplicate task changes nothing.
 */
@Injectable()
export class CommunityRequestAvailableTask implements TaskWorkflow {
  readonly taskType = 'community_request_available';

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const expertId = taskUser(task);
    const { requestId } = parseTaskContext(CommunityRequestContextDto, task);
    const found = await client.query<{
      status: string;
      urgency: string | null;
      request_summary: string | null;
      category: string | null;
      target_user_ids: string[] | null;
      expires_at: Date | null;
      open: boolean;
      answered: boolean;
    }>(
      `SELECT q.status, q.urgency, q.request_summary, q.category, q.target_user_ids, q.expires_at,
              q.status IN ('open', 'responses_received') AND (q.expires_at IS NULL OR q.expires_at > now()) AS open,
              EXISTS (SELECT 1 FROM community_responses r WHERE r.request_id = q.id AND r.user_id = $2) AS answered
       FROM community_requests q WHERE q.id = $1`,
      [requestId, expertId],
    );
    const request = found.rows[0];
    if (!request) throw new InvalidTaskError(`community request ${requestId} does not exist`);
    if (!(request.target_user_ids ?? []).includes(expertId)) {
      throw new InvalidTaskError(`user ${expertId} is not an expert of community request ${requestId}`);
    }
    if (!request.open) return { requestId, skipped: 'request closed' };
    if (request.answered) return { requestId, skipped: 'already answered' };
    const score = EXPERT_SCORE[request.urgency ?? 'medium'] ?? EXPERT_SCORE.medium;
    await upsertPriority(client, {
      userId: expertId,
      itemType: 'community_request',
      itemId: requestId,
      valueScore: score,
      summary: `a member's question about ${request.request_summary ?? 'their work'}`,
      context: request.category,
      expiresAt: request.expires_at,
    });
    return { requestId, valueScore: score };
  }
}
