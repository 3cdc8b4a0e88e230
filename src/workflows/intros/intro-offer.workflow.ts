import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { awardCredits } from '../credit.ledger';
import { MemberRepository, nameOf } from '../member.repository';
import { textMember } from '../member-texts';
import { clampScore, closePriorities, upsertPriority } from '../priority.writer';
import { scheduleTask } from '../tasks/task.writer';
import { handlerFor, once, written } from '../workflow-effects';
import { missing, parsePayload } from '../workflow-payload';
import { IntroOfferCreatedDto, IntroOfferRefDto, IntroOfferStepDto } from './intro.dto';

interface OfferRow {
  id: string;
  offering_user_id: string | null;
  introducee_user_id: string | null;
  prospect_name: string | null;
  prospect_company: string | null;
  bounty_credits: number;
  status: string;
}

const AWAITING_INTRODUCEE = 'pending_introducee_response';
const AWAITING_CONNECTOR = 'pending_connector_confirmation';
/** The connector is reminded to confirm this long after the introducee said yes. */
export const CONFIRMATION_REMINDER_DELAY_MS = 3 * 24 * 3600_000;
/** The warm-intro bounty the score is measured against (+ (bounty − 25)). */
const BASE_WARM_BOUNTY = 25;

/** Introducee's score for an offer: 70, plus (bounty − 25) when the introducee is an innovator paying a warm bounty. */
export function introOfferScore(warmBounty: number | null): number {
  return clampScore(70 + (warmBounty === null ? 0 : warmBounty - BASE_WARM_BOUNTY));
}

const prospectOf = (offer: OfferRow) =>
  (offer.prospect_name ?? 'the person you offered') + (offer.prospect_company ? ` at ${offer.prospect_company}` : '');

/** "A member offers to introduce someone" (`intro_offers`). */
@Injectable()
export class IntroOfferWorkflows {
  constructor(private readonly members: MemberRepository) {}

  handlers(): EventHandler[] {
    const ordered = { orderedByAggregate: true };
    return [
      handlerFor('intro.offer_created', (event) => this.created(event), ordered),
      handlerFor('intro.offer_accepted', (event) => this.accepted(event), ordered),
      handlerFor('intro.offer_declined', (event) => this.declined(event), ordered),
      handlerFor('intro.offer_confirmed', (event) => this.confirmed(event), ordered),
      handlerFor('intro.offer_reminder', (event) => this.reminder(event), ordered),
    ];
  }

  private async lock(client: Queryable, id: string, parties?: { offeringUserId: string; introduceeUserId: string }) {
    const result = await client.query<OfferRow>(
      `SELECT id, offering_user_id, introducee_user_id, prospect_name, prospect_company, bounty_credits, status
       FROM intro_offers WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const offer = result.rows[0];
    if (!offer) throw missing('intro offer', id);
    if (
      parties &&
      (offer.offering_user_id !== parties.offeringUserId || offer.introducee_user_id !== parties.introduceeUserId)
    ) {
      throw new PermanentEventError(`intro offer ${id} is not between the members the event names`);
    }
    return offer;
  }

  /** The introducee's innovator warm-intro bounty, or null when they are not an innovator. */
  private async warmBounty(client: Queryable, userId: string): Promise<number | null> {
    const result = await client.query<{ warm_intro_bounty: number }>(
      `SELECT warm_intro_bounty FROM innovators WHERE user_id = $1`,
      [userId],
    );
    return result.rows[0]?.warm_intro_bounty ?? null;
  }

  private created(event: StoredEvent) {
    const payload = parsePayload(IntroOfferCreatedDto, event);
    return Promise.resolve(
      written(async (client) => {
        const offer = await this.lock(client, payload.introOfferId, payload);
        if (offer.status !== AWAITING_INTRODUCEE) return;
        const bounty = await this.warmBounty(client, payload.introduceeUserId);
        if (bounty !== null && offer.bounty_credits === 0) {
          await client.query(`UPDATE intro_offers SET bounty_credits = $2, updated_at = now() WHERE id = $1`, [
            offer.id,
            bounty,
          ]);
        }
        const offering = await this.members.find(payload.offeringUserId, client);
        await upsertPriority(client, {
          userId: payload.introduceeUserId,
          itemType: 'intro_offer',
          itemId: offer.id,
          valueScore: introOfferScore(bounty),
          summary: `${nameOf(offering)} offered to introduce you to ${prospectOf(offer)}`,
          primaryName: offer.prospect_name,
          secondaryName: nameOf(offering),
          context: offer.prospect_company,
        });
      }),
    );
  }

  /** The introducee said yes: now the connector is asked to make it and confirm (with a reminder). */
  private accepted(event: StoredEvent) {
    const payload = parsePayload(IntroOfferStepDto, event);
    return Promise.resolve(
      written(async (client) => {
        const offer = await this.lock(client, payload.introOfferId, payload);
        if (offer.status !== AWAITING_INTRODUCEE && offer.status !== AWAITING_CONNECTOR) {
          throw new PermanentEventError(`cannot accept intro offer ${offer.id}: it is ${offer.status}`);
        }
        if (!(await once(client, `intro_offer.accepted:${offer.id}`, event.id))) return;
        await client.query(
          `UPDATE intro_offers SET status = $2, bounty_credits = GREATEST(bounty_credits, $3), updated_at = now()
           WHERE id = $1`,
          [offer.id, AWAITING_CONNECTOR, payload.bountyCredits],
        );
        await closePriorities(
          client,
          { itemType: 'intro_offer', itemId: offer.id, userId: payload.introduceeUserId },
          'actioned',
        );
        const introducee = await this.members.find(payload.introduceeUserId, client);
        await upsertPriority(client, {
          userId: payload.offeringUserId,
          itemType: 'intro_offer_confirmation',
          itemId: offer.id,
          valueScore: 80,
          summary: `confirm once you have introduced ${nameOf(introducee)} to ${prospectOf(offer)}`,
          primaryName: offer.prospect_name,
          secondaryName: nameOf(introducee),
        });
        await textMember(client, this.members, {
          userId: payload.offeringUserId,
          texts: [`${nameOf(introducee)} would like the intro to ${prospectOf(offer)}. Tell me once you've made it.`],
          subject: `intro_offer:${offer.id}`,
          data: { kind: 'intro_offer_accepted', introOfferId: offer.id },
        });
        await scheduleTask(client, {
          taskType: 'intro_offer_confirmation_reminder',
          agentType: 'concierge',
          userId: payload.offeringUserId,
          contextId: offer.id,
          contextType: 'intro_offer',
          delayMs: CONFIRMATION_REMINDER_DELAY_MS,
          context: { introOfferId: offer.id },
        });
      }),
    );
  }

  private declined(event: StoredEvent) {
    const payload = parsePayload(IntroOfferStepDto, event);
    return Promise.resolve(
      written(async (client) => {
        const offer = await this.lock(client, payload.introOfferId, payload);
        if (offer.status === 'completed') {
          throw new PermanentEventError(`cannot decline intro offer ${offer.id}: it is completed`);
        }
        if (!(await once(client, `intro_offer.declined:${offer.id}`, event.id))) return;
        await client.query(`UPDATE intro_offers SET status = 'declined', updated_at = now() WHERE id = $1`, [offer.id]);
        await closePriorities(client, { itemType: 'intro_offer', itemId: offer.id }, 'expired');
        await closePriorities(client, { itemType: 'intro_offer_confirmation', itemId: offer.id }, 'expired');
        await this.cancelReminders(client, offer.id);
        const introducee = await this.members.find(payload.introduceeUserId, client);
        await textMember(client, this.members, {
          userId: payload.offeringUserId,
          texts: [
            `${nameOf(introducee)} will pass on the intro to ${prospectOf(offer)} for now. Thanks for offering it.`,
          ],
          subject: `intro_offer:${offer.id}`,
          data: { kind: 'intro_offer_declined', introOfferId: offer.id },
        });
      }),
    );
  }

  /** The connector made the intro: completed, confirmation actioned, bounty credited once, both told. */
  private confirmed(event: StoredEvent) {
    const payload = parsePayload(IntroOfferStepDto, event);
    return Promise.resolve(
      written(async (client) => {
        const offer = await this.lock(client, payload.introOfferId, payload);
        if (offer.status !== AWAITING_CONNECTOR && offer.status !== 'completed') {
          throw new PermanentEventError(`cannot confirm intro offer ${offer.id}: it is ${offer.status}`);
        }
        if (!(await once(client, `intro_offer.confirmed:${offer.id}`, event.id))) return;
        await client.query(
          `UPDATE intro_offers SET status = 'completed', intro_completed_at = COALESCE(intro_completed_at, now()),
             updated_at = now()
           WHERE id = $1`,
          [offer.id],
        );
        await closePriorities(client, { itemType: 'intro_offer_confirmation', itemId: offer.id }, 'actioned');
        await this.cancelReminders(client, offer.id);
        const bounty = Math.max(offer.bounty_credits, payload.bountyCredits);
        await awardCredits(client, {
          userId: payload.offeringUserId,
          amount: bounty,
          eventType: 'intro_completed',
          referenceType: 'intro_offer',
          referenceId: offer.id,
          idempotencyKey: `intro_offer.confirmed:${offer.id}:${payload.offeringUserId}`,
          description: `warm intro bounty for introducing ${offer.prospect_name ?? 'a contact'}`,
        });
        const [offering, introducee] = [
          await this.members.find(payload.offeringUserId, client),
          await this.members.find(payload.introduceeUserId, client),
        ];
        await textMember(client, this.members, {
          userId: payload.offeringUserId,
          texts: [
            bounty > 0
              ? `Thanks for introducing ${nameOf(introducee)} to ${prospectOf(offer)}. ${bounty} credits are in your account.`
              : `Thanks for introducing ${nameOf(introducee)} to ${prospectOf(offer)}.`,
          ],
          subject: `intro_offer:${offer.id}`,
          data: { kind: 'intro_offer_confirmed', introOfferId: offer.id },
        });
        await textMember(client, this.members, {
          userId: payload.introduceeUserId,
          texts: [`${nameOf(offering)} has introduced you to ${prospectOf(offer)}. Let me know how it goes.`],
          subject: `intro_offer:${offer.id}`,
          data: { kind: 'intro_offer_confirmed', introOfferId: offer.id },
        });
      }),
    );
  }

  /** Still waiting for the connector: one reminder text; otherwise nothing to do. */
  private reminder(event: StoredEvent) {
    const payload = parsePayload(IntroOfferRefDto, event);
    return Promise.resolve(
      written(async (client) => {
        const offer = await this.lock(client, payload.introOfferId);
        if (offer.status !== AWAITING_CONNECTOR || !offer.offering_user_id || !offer.introducee_user_id) return;
        if (!(await once(client, `intro_offer.reminder:${event.id}`, event.id))) return;
        const introducee = await this.members.find(offer.introducee_user_id, client);
        await textMember(client, this.members, {
          userId: offer.offering_user_id,
          texts: [
            `Did the intro between ${nameOf(introducee)} and ${prospectOf(offer)} happen? A quick yes is enough.`,
          ],
          subject: `intro_offer:${offer.id}`,
          priority: 'low',
          data: { kind: 'intro_offer_reminder', introOfferId: offer.id },
        });
      }),
    );
  }

  private async cancelReminders(client: Queryable, offerId: string): Promise<void> {
    await client.query(
      `UPDATE agent_tasks SET status = 'cancelled'
       WHERE task_type = 'intro_offer_confirmation_reminder' AND context_id = $1 AND status = 'pending'`,
      [offerId],
    );
  }
}
