import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { closePriorities } from '../priority.writer';
import type { TimerJob } from '../workflow.scheduler';
import { emitEvent, once, WORKFLOWS } from '../workflow-effects';
import { creditAnswer, RESPONSE_CREDITS } from './community-answer';
import { attachedMembers, attachedTopic } from './community-attachments';

/** Requests one round closes at most; the next round takes the rest. */
const BATCH = 100;

interface ClosingRow {
  id: string;
  requesting_user_id: string | null;
  request_summary: string | null;
  reason: 'expired' | 'fully_answered';
}

/**
 * Closes open community requests that expired or that every targeted expert answered (a timer
 * job: one instance at a time). Each answer's expert gets the close-the-loop text and the answer's
 * credits (once, by idempotency key); experts who did not answer lose the open priority; a request
 * nobody answered tells its askers so; the request and its answers record the close;
 * `community.request_closed` is emitted.
 */
@Injectable()
export class CommunityRequestCloser implements TimerJob {
  readonly name = 'community-requests-closer';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient): Promise<number> {
    const closing = await client.query<ClosingRow>(
      `SELECT id, requesting_user_id, request_summary,
              CASE WHEN expires_at IS NOT NULL AND expires_at <= now() THEN 'expired' ELSE 'fully_answered' END AS reason
       FROM community_requests
       WHERE status IN ('open', 'responses_received')
         AND ((expires_at IS NOT NULL AND expires_at <= now())
           OR (cardinality(target_user_ids) > 0 AND responses_count >= cardinality(target_user_ids)))
       ORDER BY created_at, id
       LIMIT $1
       FOR UPDATE SKIP LOCKED`,
      [BATCH],
    );
    for (const request of closing.rows) await this.close(client, request);
    return closing.rows.length;
  }

  private async close(client: PoolClient, request: ClosingRow): Promise<void> {
    const topic = request.request_summary ?? 'a member’s question';
    const loop = `Thanks for answering the question about ${topic}. It is closed now, and your answer helped. ${RESPONSE_CREDITS} credits are in your account.`;
    const responses = await client.query<{ id: string; user_id: string }>(
      `UPDATE community_responses
       SET status = 'closed_loop', closed_loop_at = now(), closed_loop_message = $2,
           credits_awarded = COALESCE(credits_awarded, $3), credited_at = COALESCE(credited_at, now())
       WHERE request_id = $1 AND status <> 'closed_loop'
       RETURNING id, user_id`,
      [request.id, loop, RESPONSE_CREDITS],
    );
    for (const response of responses.rows) {
      await creditAnswer(client, { responseId: response.id, expertId: response.user_id, topic }, 'answer');
    }
    // One text per expert, however many answers they gave.
    for (const userId of new Set(responses.rows.map((row) => row.user_id))) {
      await textMember(client, this.members, {
        userId,
        texts: [loop],
        subject: `community_request:${request.id}`,
        priority: 'low',
        data: { kind: 'community_close_the_loop', requestId: request.id },
      });
    }
    await closePriorities(client, { itemType: 'community_request', itemId: request.id }, 'expired');
    await this.tellAskersIfUnanswered(client, request);
    await client.query(
      `UPDATE community_requests SET status = 'closed', closed_loop_at = now(), closed_loop_message = $2 WHERE id = $1`,
      [request.id, responses.rows.length > 0 ? loop : null],
    );
    await emitEvent(client, {
      event_type: 'community.request_closed',
      aggregate_id: request.id,
      aggregate_type: 'community_request',
      payload: { requestId: request.id, reason: request.reason, responses: responses.rows.length },
      created_by: WORKFLOWS,
    });
  }

  /**
   * With no answer at all, the requester and each attached member hear once (a per-member once-key,
   * so a request closed again tells nobody twice) that nobody answered, in the words of their own
   * question. No promise of a later answer: the request is closed. An answer whose event is still
   * pending is no reason to speak: its own notice tells them.
   */
  private async tellAskersIfUnanswered(client: PoolClient, request: ClosingRow): Promise<void> {
    const answers = await client.query(`SELECT 1 FROM community_responses WHERE request_id = $1 LIMIT 1`, [request.id]);
    if (answers.rowCount) return;
    const askers: Array<{ userId: string; topic: string | null }> = [];
    if (request.requesting_user_id) askers.push({ userId: request.requesting_user_id, topic: request.request_summary });
    const excluded = request.requesting_user_id ? [request.requesting_user_id] : [];
    for (const userId of await attachedMembers(client, request.id, excluded)) {
      askers.push({ userId, topic: (await attachedTopic(client, request.id, userId)) ?? request.request_summary });
    }
    for (const asker of askers) {
      if (!(await once(client, `community_request.unanswered:${request.id}:${asker.userId}`, null))) continue;
      await textMember(client, this.members, {
        userId: asker.userId,
        texts: [
          `Nobody in the network answered your question${asker.topic ? ` about ${asker.topic}` : ''} while it was open, and it has closed now. If it still matters, tell me more and I can ask again.`,
        ],
        subject: `community_request:${request.id}`,
        priority: 'low',
        data: { kind: 'community_unanswered', requestId: request.id },
      });
    }
  }
}
