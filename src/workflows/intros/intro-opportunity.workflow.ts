import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { awardCredits } from '../credit.ledger';
import { MemberRepository, nameOf } from '../member.repository';
import { textMember } from '../member-texts';
import { clampScore, closePriorities, upsertPriority } from '../priority.writer';
import { handlerFor, once, written } from '../workflow-effects';
import { missing, parsePayload } from '../workflow-payload';
import { IntroOpportunityCreatedDto, IntroOpportunityDecisionDto, IntroOpportunityRefDto } from './intro.dto';

interface IntroRow {
  id: string;
  connector_user_id: string | null;
  innovator_id: string | null;
  prospect_id: string | null;
  first_name: string;
  last_name: string;
  prospect_company: string | null;
  innovator_name: string | null;
  bounty_credits: number;
  status: string;
  expires_at: Date | null;
}

/** Statuses from which an opportunity can still be accepted, declined or completed. */
const OPEN = ['open', 'pending', 'presented', 'dormant', 'paused'];
/** Statuses that end an opportunity without an intro. */
const ENDED = ['rejected', 'cancelled', 'removed', 'expired'];

const prospectOf = (intro: IntroRow) =>
  `${intro.first_name} ${intro.last_name}`.trim() + (intro.prospect_company ? ` at ${intro.prospect_company}` : '');

/**
 * Connector's score for an opportunity (bounty ± history): 50, plus a fifth of the
 * bounty (up to +30), plus 5 per intro the connector completed (up to +15), minus 5 per
 * opportunity they declined in the last 90 days (up to -15).
 */
export function introOpportunityScore(bounty: number, completed: number, recentlyDeclined: number): number {
  return clampScore(50 + Math.min(30, bounty / 5) + Math.min(15, 5 * completed) - Math.min(15, 5 * recentlyDeclined));
}

/**
 * "Introduce a prospect to an innovator" (`intro_opportunities`). Every step locks the row in the
 * engine's fenced transaction, checks the transition, and does its effects once.
 */
@Injectable()
export class IntroOpportunityWorkflows {
  constructor(private readonly members: MemberRepository) {}

  handlers(): EventHandler[] {
    const ordered = { orderedByAggregate: true };
    return [
      handlerFor('intro.opportunity_created', (event) => this.created(event), ordered),
      handlerFor('intro.opportunity_accepted', (event) => this.accepted(event), ordered),
      handlerFor('intro.opportunity_declined', (event) => this.declined(event), ordered),
      handlerFor('intro.opportunity_completed', (event) => this.completed(event), ordered),
      handlerFor('intro.opportunity_cancelled', (event) => this.cancelled(event), ordered),
    ];
  }

  private async lock(client: Queryable, id: string, connectorUserId?: string): Promise<IntroRow> {
    const result = await client.query<IntroRow>(
      `SELECT id, connector_user_id, innovator_id, prospect_id, first_name, last_name, prospect_company,
              innovator_name, bounty_credits, status, expires_at
       FROM intro_opportunities WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const intro = result.rows[0];
    if (!intro) throw missing('intro opportunity', id);
    if (connectorUserId && intro.connector_user_id !== connectorUserId) {
      throw new PermanentEventError(`intro opportunity ${id} does not belong to connector ${connectorUserId}`);
    }
    return intro;
  }

  private created(event: StoredEvent) {
    const payload = parsePayload(IntroOpportunityCreatedDto, event);
    return Promise.resolve(
      written(async (client) => {
        const intro = await this.lock(client, payload.introOpportunityId, payload.connectorUserId);
        if (!OPEN.includes(intro.status) && intro.status !== 'accepted') return;
        const history = await client.query<{ completed: number; declined: number }>(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
                  count(*) FILTER (WHERE status = 'rejected' AND updated_at > now() - interval '90 days')::int AS declined
           FROM intro_opportunities WHERE connector_user_id = $1 AND id <> $2`,
          [payload.connectorUserId, intro.id],
        );
        await upsertPriority(client, {
          userId: payload.connectorUserId,
          itemType: 'intro_opportunity',
          itemId: intro.id,
          valueScore: introOpportunityScore(intro.bounty_credits, history.rows[0].completed, history.rows[0].declined),
          summary: `an intro of ${prospectOf(intro)} to ${intro.innovator_name ?? 'a member'} (${intro.bounty_credits} credits)`,
          primaryName: `${intro.first_name} ${intro.last_name}`.trim(),
          secondaryName: intro.innovator_name,
          context: intro.prospect_company,
          expiresAt: intro.expires_at,
        });
      }),
    );
  }

  private accepted(event: StoredEvent) {
    const payload = parsePayload(IntroOpportunityDecisionDto, event);
    return Promise.resolve(
      written(async (client) => {
        const intro = await this.lock(client, payload.introOpportunityId, payload.connectorUserId);
        if (intro.status !== 'accepted' && !OPEN.includes(intro.status)) {
          throw new PermanentEventError(`cannot accept intro opportunity ${intro.id}: it is ${intro.status}`);
        }
        if (!(await once(client, `intro_opportunity.accepted:${intro.id}`, event.id))) return;
        await client.query(
          `UPDATE intro_opportunities SET status = 'accepted', updated_at = now() WHERE id = $1 AND status <> 'accepted'`,
          [intro.id],
        );
        await closePriorities(
          client,
          { itemType: 'intro_opportunity', itemId: intro.id, userId: payload.connectorUserId },
          'actioned',
        );
        if (intro.innovator_id) {
          const connector = await this.members.find(payload.connectorUserId, client);
          await textMember(client, this.members, {
            userId: intro.innovator_id,
            texts: [
              `${nameOf(connector)} agreed to introduce you to ${prospectOf(intro)}. I'll let you know when it happens.`,
            ],
            subject: `intro_opportunity:${intro.id}`,
            data: { kind: 'intro_opportunity_accepted', introOpportunityId: intro.id },
          });
        }
      }),
    );
  }

  private declined(event: StoredEvent) {
    const payload = parsePayload(IntroOpportunityDecisionDto, event);
    return Promise.resolve(
      written(async (client) => {
        const intro = await this.lock(client, payload.introOpportunityId, payload.connectorUserId);
        if (intro.status === 'completed') {
          throw new PermanentEventError(`cannot decline intro opportunity ${intro.id}: it is completed`);
        }
        if (!(await once(client, `intro_opportunity.declined:${intro.id}`, event.id))) return;
        await client.query(
          `UPDATE intro_opportunities SET status = 'rejected', connector_response = COALESCE($2, connector_response),
             updated_at = now()
           WHERE id = $1 AND status = ANY($3::text[])`,
          [intro.id, payload.reason ?? null, [...OPEN, 'accepted']],
        );
        await closePriorities(
          client,
          { itemType: 'intro_opportunity', itemId: intro.id, userId: payload.connectorUserId },
          'expired',
        );
      }),
    );
  }

  /**
   * The intro happened: completed, the connector's priority actioned, competing opportunities for
   * the same prospect expired, the bounty credited once, and both parties told through the queue.
   */
  private completed(event: StoredEvent) {
    const payload = parsePayload(IntroOpportunityRefDto, event);
    return Promise.resolve(
      written(async (client) => {
        const intro = await this.lock(client, payload.introOpportunityId);
        if (ENDED.includes(intro.status)) {
          throw new PermanentEventError(`cannot complete intro opportunity ${intro.id}: it is ${intro.status}`);
        }
        if (!intro.connector_user_id) throw new PermanentEventError(`intro opportunity ${intro.id} has no connector`);
        if (!(await once(client, `intro_opportunity.completed:${intro.id}`, event.id))) return;
        await client.query(
          `UPDATE intro_opportunities SET status = 'completed', intro_completed_at = COALESCE(intro_completed_at, now()),
             updated_at = now()
           WHERE id = $1`,
          [intro.id],
        );
        await closePriorities(client, { itemType: 'intro_opportunity', itemId: intro.id }, 'actioned');
        await this.expireCompetitors(client, intro);
        await awardCredits(client, {
          userId: intro.connector_user_id,
          amount: intro.bounty_credits,
          eventType: 'intro_completed',
          referenceType: 'intro_opportunity',
          referenceId: intro.id,
          idempotencyKey: `intro.completed:${intro.id}:${intro.connector_user_id}`,
          description: `bounty for introducing ${intro.first_name} ${intro.last_name}`.trim(),
        });
        const connector = await this.members.find(intro.connector_user_id, client);
        await textMember(client, this.members, {
          userId: intro.connector_user_id,
          texts: [
            intro.bounty_credits > 0
              ? `Thanks for introducing ${prospectOf(intro)}. ${intro.bounty_credits} credits are in your account.`
              : `Thanks for introducing ${prospectOf(intro)}.`,
          ],
          subject: `intro_opportunity:${intro.id}`,
          data: { kind: 'intro_opportunity_completed', introOpportunityId: intro.id },
        });
        if (intro.innovator_id) {
          await textMember(client, this.members, {
            userId: intro.innovator_id,
            texts: [`${nameOf(connector)} made the intro to ${prospectOf(intro)}. Let me know how it goes.`],
            subject: `intro_opportunity:${intro.id}`,
            data: { kind: 'intro_opportunity_completed', introOpportunityId: intro.id },
          });
        }
      }),
    );
  }

  /** Others asked to introduce the same prospect to the same innovator are no longer needed. */
  private async expireCompetitors(client: Queryable, intro: IntroRow): Promise<void> {
    const competitors = await client.query<{ id: string }>(
      `UPDATE intro_opportunities SET status = 'expired', updated_at = now()
       WHERE id <> $1 AND status = ANY($2::text[])
         AND (($3::uuid IS NOT NULL AND prospect_id = $3)
           OR ($3::uuid IS NULL AND innovator_id IS NOT DISTINCT FROM $4
               AND lower(first_name) = lower($5) AND lower(last_name) = lower($6)))
       RETURNING id`,
      [intro.id, [...OPEN, 'accepted'], intro.prospect_id, intro.innovator_id, intro.first_name, intro.last_name],
    );
    for (const { id } of competitors.rows) {
      await closePriorities(client, { itemType: 'intro_opportunity', itemId: id }, 'expired');
    }
  }

  private cancelled(event: StoredEvent) {
    const payload = parsePayload(IntroOpportunityRefDto, event);
    return Promise.resolve(
      written(async (client) => {
        const intro = await this.lock(client, payload.introOpportunityId);
        if (intro.status === 'completed') {
          throw new PermanentEventError(`cannot cancel intro opportunity ${intro.id}: it is completed`);
        }
        await client.query(
          `UPDATE intro_opportunities SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status <> 'cancelled'`,
          [intro.id],
        );
        await closePriorities(client, { itemType: 'intro_opportunity', itemId: intro.id }, 'cancelled');
      }),
    );
  }
}
