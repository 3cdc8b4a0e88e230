import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { closePriorities } from '../priority.writer';
import { scheduleTask } from '../tasks/task.writer';
import { emitEvent, handlerFor, once, written, WORKFLOWS } from '../workflow-effects';
import { missing, parsePayload } from '../workflow-payload';
import { attachedMembers, recordAttachment, scheduleAnswerNotice } from './community-attachments';
import { CommunityRequestNeededDto, CommunityResponseReceivedDto } from './community.dto';

/** Experts one request is routed to, at most. */
export const MAX_EXPERTS = 5;
/** A similar open request this recent takes a new question instead of routing it again. */
const ATTACH_WINDOW = '7 days';

/** "Agent of humans": questions routed to the members who know, and their answers back to the asker. */
@Injectable()
export class CommunityWorkflows {
  constructor(private readonly members: MemberRepository) {}

  handlers(): EventHandler[] {
    return [
      handlerFor('community.request_needed', (event) => this.requestNeeded(event)),
      handlerFor('community.response_received', (event) => this.responseReceived(event), { orderedByAggregate: true }),
    ];
  }

  /**
   * Attach to a similar open request of the last 7 days (same category, overlapping expertise), or
   * route a new request to up to 5 verified experts whose expertise overlaps (never the requester),
   * each given a `community_request_available` task (the task writes their priority); no expert →
   * `community.no_experts_found` and a low-priority text telling the requester.
   */
  private async requestNeeded(event: StoredEvent) {
    const payload = parsePayload(CommunityRequestNeededDto, event);
    if (!(await this.members.find(payload.requestingUserId))) throw missing('user', payload.requestingUserId);
    const expertise = payload.expertiseNeeded.map((area) => area.trim().toLowerCase());
    return written(async (client) => {
      if (!(await once(client, `community.request_needed:${event.id}`, event.id))) return;
      // The row lock orders this attachment against a `community.response_received` of the same
      // request: whichever commits second sees the other's rows, so no answer goes untold.
      const similar = await client.query<{ id: string; requesting_user_id: string | null }>(
        `SELECT id, requesting_user_id FROM community_requests
         WHERE status IN ('open', 'responses_received') AND created_at > now() - $1::interval
           AND category IS NOT DISTINCT FROM $2
           AND (SELECT array_agg(lower(area)) FROM unnest(expertise_needed) area) && $3::text[]
         ORDER BY created_at DESC, id LIMIT 1
         FOR UPDATE`,
        [ATTACH_WINDOW, payload.category ?? null, expertise],
      );
      const base = { requestingUserId: payload.requestingUserId, requestSummary: payload.requestSummary };
      if (similar.rows[0]) {
        await this.attach(client, similar.rows[0], payload);
        return;
      }
      const experts = await client.query<{ id: string }>(
        `SELECT u.id FROM users u
         CROSS JOIN LATERAL (SELECT count(*) AS overlap FROM unnest(u.expertise) area WHERE lower(area) = ANY($2::text[])) m
         WHERE u.verified AND u.id <> $1 AND m.overlap > 0
         ORDER BY m.overlap DESC, u.last_active_at DESC NULLS LAST, u.id
         LIMIT $3`,
        [payload.requestingUserId, expertise, MAX_EXPERTS],
      );
      const expertIds = experts.rows.map((row) => row.id);
      if (expertIds.length === 0) {
        await emitEvent(client, {
          event_type: 'community.no_experts_found',
          aggregate_id: payload.requestingUserId,
          aggregate_type: 'user',
          payload: { ...base, expertiseNeeded: payload.expertiseNeeded, category: payload.category ?? null },
          created_by: WORKFLOWS,
        });
        // The agent said it would ask around: close that loop rather than leave the member waiting.
        await textMember(client, this.members, {
          userId: payload.requestingUserId,
          texts: [
            `I asked around about ${payload.requestSummary}, but nobody in the network fits that one yet. I'll keep it in mind and tell you if that changes.`,
          ],
          subject: `community_unrouted:${event.id}`,
          priority: 'low',
          data: { kind: 'community_no_experts' },
        });
        return;
      }
      const requestId = randomUUID();
      await client.query(
        `INSERT INTO community_requests (id, requesting_agent_type, requesting_user_id, context_id, context_type, question,
           category, expertise_needed, target_user_ids, requester_context, desired_outcome, urgency, request_summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          requestId,
          payload.requestingAgentType,
          payload.requestingUserId,
          payload.contextId,
          payload.contextType,
          payload.question,
          payload.category ?? null,
          payload.expertiseNeeded,
          expertIds,
          payload.requesterContext ?? null,
          payload.desiredOutcome,
          payload.urgency,
          payload.requestSummary,
        ],
      );
      for (const expertId of expertIds) {
        await scheduleTask(client, {
          taskType: 'community_request_available',
          agentType: 'account_manager',
          userId: expertId,
          contextId: requestId,
          contextType: 'community_request',
          priority: payload.urgency,
          context: { requestId },
        });
      }
      await emitEvent(client, {
        event_type: 'community.request_routed',
        aggregate_id: requestId,
        aggregate_type: 'community_request',
        payload: { ...base, requestId, expertUserIds: expertIds },
        created_by: WORKFLOWS,
      });
    });
  }

  /**
   * An expert answered: counted on the request, the expert's priority actioned, and a
   * `community_response_available` task tells the requester and each member who attached a
   * question to the request (once per answer: the event's once-key, and the task's per member).
   */
  private responseReceived(event: StoredEvent) {
    const payload = parsePayload(CommunityResponseReceivedDto, event);
    return Promise.resolve(
      written(async (client) => {
        const request = await this.lockRequest(client, payload.requestId);
        if (request.requesting_user_id !== payload.requestingUserId) {
          throw new PermanentEventError(`community request ${request.id} was not asked by ${payload.requestingUserId}`);
        }
        const response = await client.query<{ response_text: string | null; user_id: string }>(
          `SELECT response_text, user_id FROM community_responses WHERE id = $1 AND request_id = $2`,
          [payload.responseId, payload.requestId],
        );
        const answer = response.rows[0];
        if (!answer) throw missing(`response to community request ${request.id}`, payload.responseId);
        if (answer.user_id !== payload.responderUserId) {
          throw new PermanentEventError(
            `community response ${payload.responseId} is not by ${payload.responderUserId}`,
          );
        }
        if (!(await once(client, `community.response_received:${payload.responseId}`, event.id))) return;
        await client.query(
          `UPDATE community_requests
           SET responses_count = (SELECT count(*) FROM community_responses WHERE request_id = $1),
               status = CASE WHEN status = 'open' THEN 'responses_received' ELSE status END
           WHERE id = $1`,
          [request.id],
        );
        await closePriorities(
          client,
          { itemType: 'community_request', itemId: request.id, userId: payload.responderUserId },
          'actioned',
        );
        // The requester, and every member who attached a question to the request (each once).
        const attached = await attachedMembers(client, request.id, [payload.requestingUserId, payload.responderUserId]);
        for (const userId of [payload.requestingUserId, ...attached]) {
          await scheduleAnswerNotice(client, { userId, requestId: request.id, responseId: payload.responseId });
        }
      }),
    );
  }

  /**
   * Records the question as attached to `request` (its member is then told of every answer, like
   * the requester), announces it, and tells the member of the answers the request already has.
   */
  private async attach(
    client: Queryable,
    request: { id: string; requesting_user_id: string | null },
    payload: CommunityRequestNeededDto,
  ): Promise<void> {
    const attachedEventId = await emitEvent(client, {
      event_type: 'community.request_attached',
      aggregate_id: request.id,
      aggregate_type: 'community_request',
      payload: {
        requestingUserId: payload.requestingUserId,
        requestSummary: payload.requestSummary,
        requestId: request.id,
        question: payload.question,
      },
      created_by: WORKFLOWS,
    });
    await recordAttachment(client, {
      requestId: request.id,
      userId: payload.requestingUserId,
      question: payload.question,
      requestSummary: payload.requestSummary,
      attachedEventId,
    });
    // The requester hears of the answers already; a member's own answers are not news to them.
    if (request.requesting_user_id === payload.requestingUserId) return;
    const earlier = await client.query<{ id: string }>(
      `SELECT id FROM community_responses WHERE request_id = $1 AND user_id <> $2 ORDER BY created_at, id`,
      [request.id, payload.requestingUserId],
    );
    for (const answer of earlier.rows) {
      await scheduleAnswerNotice(client, {
        userId: payload.requestingUserId,
        requestId: request.id,
        responseId: answer.id,
      });
    }
  }

  private async lockRequest(client: Queryable, id: string) {
    const result = await client.query<{
      id: string;
      requesting_user_id: string | null;
      request_summary: string | null;
      status: string;
    }>(`SELECT id, requesting_user_id, request_summary, status FROM community_requests WHERE id = $1 FOR UPDATE`, [id]);
    if (!result.rows[0]) throw missing('community request', id);
    return result.rows[0];
  }
}
