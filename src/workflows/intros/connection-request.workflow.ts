import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { awardCredits } from '../credit.ledger';
import { MemberRepository, nameOf } from '../member.repository';
import { textMember } from '../member-texts';
import { clampScore, closePriorities, upsertPriority } from '../priority.writer';
import { handlerFor, once, written } from '../workflow-effects';
import { missing, parsePayload } from '../workflow-payload';
import { ConnectionRequestCreatedDto, ConnectionRequestDecisionDto, ConnectionRequestRefDto } from './intro.dto';

interface RequestRow {
  id: string;
  introducee_user_id: string | null;
  requestor_user_id: string | null;
  requestor_name: string | null;
  requestor_company: string | null;
  intro_context: string | null;
  vouched_by_user_ids: string[] | null;
  bounty_credits: number;
  status: string;
}

const OPEN = ['open', 'pending', 'presented', 'dormant', 'paused'];
const ENDED = ['declined', 'cancelled', 'expired', 'removed'];

/** Introducee's score (60 + vouches…): +5 per voucher (up to +20), +1 per 10 bounty credits (up to +20). */
export function connectionRequestScore(vouches: number, bounty: number): number {
  return clampScore(60 + Math.min(20, 5 * vouches) + Math.min(20, Math.floor(bounty / 10)));
}

/** "Someone wants to meet this member" (`connection_requests`). */
@Injectable()
export class ConnectionRequestWorkflows {
  constructor(private readonly members: MemberRepository) {}

  handlers(): EventHandler[] {
    const ordered = { orderedByAggregate: true };
    return [
      handlerFor('connection.request_created', (event) => this.created(event), ordered),
      handlerFor('connection.request_accepted', (event) => this.decided(event, 'accepted'), ordered),
      handlerFor('connection.request_declined', (event) => this.decided(event, 'declined'), ordered),
      handlerFor('connection.request_completed', (event) => this.completed(event), ordered),
    ];
  }

  private async lock(client: Queryable, id: string, parties?: { requestorUserId: string; introduceeUserId: string }) {
    const result = await client.query<RequestRow>(
      `SELECT id, introducee_user_id, requestor_user_id, requestor_name, requestor_company, intro_context,
              vouched_by_user_ids, bounty_credits, status
       FROM connection_requests WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const request = result.rows[0];
    if (!request) throw missing('connection request', id);
    if (
      parties &&
      (request.introducee_user_id !== parties.introduceeUserId || request.requestor_user_id !== parties.requestorUserId)
    ) {
      throw new PermanentEventError(`connection request ${id} is not between the members the event names`);
    }
    return request;
  }

  private async requestorName(client: Queryable, request: RequestRow): Promise<string> {
    if (request.requestor_name) return request.requestor_name;
    return nameOf(request.requestor_user_id ? await this.members.find(request.requestor_user_id, client) : null);
  }

  private created(event: StoredEvent) {
    const payload = parsePayload(ConnectionRequestCreatedDto, event);
    return Promise.resolve(
      written(async (client) => {
        const request = await this.lock(client, payload.connectionRequestId, payload);
        if (!OPEN.includes(request.status)) return;
        const requestor = await this.requestorName(client, request);
        await upsertPriority(client, {
          userId: payload.introduceeUserId,
          itemType: 'connection_request',
          itemId: request.id,
          valueScore: connectionRequestScore(request.vouched_by_user_ids?.length ?? 0, request.bounty_credits),
          summary: `${requestor}${request.requestor_company ? ` of ${request.requestor_company}` : ''} would like to meet you`,
          primaryName: requestor,
          secondaryName: request.requestor_company,
          context: request.intro_context,
        });
      }),
    );
  }

  private decided(event: StoredEvent, decision: 'accepted' | 'declined') {
    const payload = parsePayload(ConnectionRequestDecisionDto, event);
    return Promise.resolve(
      written(async (client) => {
        const request = await this.lock(client, payload.connectionRequestId, payload);
        const impossible = decision === 'accepted' ? [...ENDED, 'completed'] : ['completed', 'accepted'];
        if (request.status !== decision && impossible.includes(request.status)) {
          throw new PermanentEventError(
            `cannot mark connection request ${request.id} ${decision}: it is ${request.status}`,
          );
        }
        if (!(await once(client, `connection_request.${decision}:${request.id}`, event.id))) return;
        await client.query(`UPDATE connection_requests SET status = $2, updated_at = now() WHERE id = $1`, [
          request.id,
          decision,
        ]);
        await closePriorities(
          client,
          { itemType: 'connection_request', itemId: request.id, userId: payload.introduceeUserId },
          decision === 'accepted' ? 'actioned' : 'expired',
        );
        const introducee = await this.members.find(payload.introduceeUserId, client);
        await textMember(client, this.members, {
          userId: payload.requestorUserId,
          texts: [
            decision === 'accepted'
              ? `${nameOf(introducee)} is open to meeting you. I'll set up the introduction.`
              : `${nameOf(introducee)} can't take a meeting right now. I'll keep looking for the right people for you.`,
          ],
          subject: `connection_request:${request.id}`,
          data: { kind: `connection_request_${decision}`, connectionRequestId: request.id },
        });
      }),
    );
  }

  /** They met: completed, the introducee's priority actioned, the bounty credited once, both thanked. */
  private completed(event: StoredEvent) {
    const payload = parsePayload(ConnectionRequestRefDto, event);
    return Promise.resolve(
      written(async (client) => {
        const request = await this.lock(client, payload.connectionRequestId);
        if (ENDED.includes(request.status)) {
          throw new PermanentEventError(`cannot complete connection request ${request.id}: it is ${request.status}`);
        }
        if (!request.introducee_user_id)
          throw new PermanentEventError(`connection request ${request.id} has no introducee`);
        if (!(await once(client, `connection_request.completed:${request.id}`, event.id))) return;
        await client.query(`UPDATE connection_requests SET status = 'completed', updated_at = now() WHERE id = $1`, [
          request.id,
        ]);
        await closePriorities(client, { itemType: 'connection_request', itemId: request.id }, 'actioned');
        await awardCredits(client, {
          userId: request.introducee_user_id,
          amount: request.bounty_credits,
          eventType: 'connection_completed',
          referenceType: 'connection_request',
          referenceId: request.id,
          idempotencyKey: `connection.completed:${request.id}:${request.introducee_user_id}`,
          description: 'bounty for taking a requested meeting',
        });
        const introducee = await this.members.find(request.introducee_user_id, client);
        const requestor = await this.requestorName(client, request);
        await textMember(client, this.members, {
          userId: request.introducee_user_id,
          texts: [
            request.bounty_credits > 0
              ? `Thanks for meeting ${requestor}. ${request.bounty_credits} credits are in your account.`
              : `Thanks for meeting ${requestor}.`,
          ],
          subject: `connection_request:${request.id}`,
          data: { kind: 'connection_request_completed', connectionRequestId: request.id },
        });
        if (request.requestor_user_id) {
          await textMember(client, this.members, {
            userId: request.requestor_user_id,
            texts: [`Your introduction to ${nameOf(introducee)} is done. Let me know how it goes.`],
            subject: `connection_request:${request.id}`,
            data: { kind: 'connection_request_completed', connectionRequestId: request.id },
          });
        }
      }),
    );
  }
}
