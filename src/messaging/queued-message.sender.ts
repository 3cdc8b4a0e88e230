import { Injectable, Logger } from '@nestjs/common';
import { chooseAgent } from '../agents/context/agent-routing';
import { DatabaseService, type Queryable } from '../database/database.service';
import { errorText } from '../routing/error-text';
import { OPTED_OUT_REASON } from './consent.writer';
import { localDate, nextLocalMidnight, validTimezone } from './local-time';
import { MessageDispatchRepository, type QueueRow, type Recipient } from './message-dispatch.repository';
import { ACTIVE_USER_WINDOW_MS, MAX_DISPATCH_ATTEMPTS } from './messaging-settings';
import { QueuedMessageRenderer, type RenderResult } from './queued-message.renderer';
import { MESSAGE_PRIORITIES } from './queued-message.types';
import { quietHoursEnd } from './quiet-hours';
import { RenderClaims, type RenderClaim } from './render-claims';
import { SubjectRelevanceRepository } from './subject-relevance.repository';

/** What became of one unit (a text, or a whole sequence) of one user. */
export type UnitOutcome =
  | { kind: 'none' }
  | { kind: 'busy' }
  | { kind: 'sent'; ids: string[]; priority: string; messageIds: string[] }
  | { kind: 'held'; ids: string[]; priority: string; until: Date; reason: string }
  | { kind: 'cancelled' | 'failed' | 'superseded'; ids: string[]; priority: string; reason: string }
  /** `failed`: rows this error ended `failed` (their last attempt). */
  | { kind: 'error'; ids: string[]; priority: string; failed: number; error: string };

/** Twilio's limit on one message body (it splits it into segments up to this). */
const MAX_SMS_LENGTH = 1600;

/** PostgreSQL's "lock not available" (FOR UPDATE NOWAIT met a lock). */
const LOCK_NOT_AVAILABLE = '55P03';

/** Lock, render outside the lock, lock again: a unit that changes under more renders than this waits a pass. */
const MAX_RENDER_ROUNDS = 3;

/** A unit whose rows need rendering first: the model is called with no lock held, then it is decided again. */
type Decision = UnitOutcome | { kind: 'render'; role: string; rows: QueueRow[] };

/** Rendered texts by row and the message_data they were rendered from (an edited row is rendered again). */
type RenderedTexts = ReadonlyMap<string, RenderResult>;
const renderKey = (row: QueueRow): string => `${row.id}:${JSON.stringify(row.message_data ?? null)}`;

/** Delay before a unit that met an unexpected error is tried again: 30 s, doubling, at most an hour. */
function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** attempts, 3_600_000);
}

/**
 * Dispatches one unit of one user in one transaction, the user's row locked so two dispatchers
 * never decide for the same user at once: opt-out → sanity → relevance → budget → quiet hours →
 * send. Relevance is checked before the budget so a stale text is dropped rather than held. A
 * unit that cannot be sent ends `failed`, `cancelled` or `superseded` with its reason; one held by
 * the budget or quiet hours stays `queued` with a later `scheduled_for`. A unit that needs its
 * message_data rendered is rendered with no lock held and decided again before it is sent.
 */
@Injectable()
export class QueuedMessageSender {
  private readonly logger = new Logger(QueuedMessageSender.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: MessageDispatchRepository,
    private readonly relevance: SubjectRelevanceRepository,
    private readonly renderer: QueuedMessageRenderer,
    private readonly renderClaims: RenderClaims,
  ) {}

  /**
   * Decides under the user's lock, but never calls the model while holding it: a unit that needs
   * rendering is rendered between two transactions, and the second one runs every rule again
   * (opt-out, supersession, budget, quiet hours) before it sends the rendered texts.
   */
  async dispatchNext(userId: string, now: Date): Promise<UnitOutcome> {
    const rendered = new Map<string, RenderResult>();
    let claim: RenderClaim | null = null;
    try {
      for (let round = 0; round < MAX_RENDER_ROUNDS; round += 1) {
        const decision = await this.decideLocked(userId, now, rendered);
        if (decision.kind !== 'render') return decision;
        // Another instance renders this user's unit: it will send it, or leave it to a later pass.
        claim ??= await this.renderClaims.take(userId);
        if (!claim) return { kind: 'busy' };
        for (const row of decision.rows) {
          rendered.set(renderKey(row), await this.renderer.render(decision.role, row.message_data));
        }
      }
      // The unit changed under every render (rows re-queued or edited): the next pass tries again.
      return { kind: 'busy' };
    } finally {
      // An unreleased claim only delays another instance's render until its lease ends.
      if (claim) await this.renderClaims.release(claim).catch(() => undefined);
    }
  }

  private async decideLocked(userId: string, now: Date, rendered: RenderedTexts): Promise<Decision> {
    const unit: { rows: QueueRow[] } = { rows: [] };
    try {
      return await this.database.transaction((client) => this.decide(client, userId, now, unit, rendered));
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { kind: 'busy' };
      const ids = unit.rows.map((row) => row.id);
      const text = errorText(error);
      let failed = 0;
      if (ids.length > 0) {
        const attempts = Math.max(...unit.rows.map((row) => row.dispatch_attempts));
        const retryAt = new Date(now.getTime() + retryDelayMs(attempts));
        failed = await this.repository
          .recordError(ids, text, retryAt, MAX_DISPATCH_ATTEMPTS)
          .catch((bookkeeping: unknown) => {
            this.logger.error(
              { event: 'queued_message_bookkeeping_failed', userId, queueMessageIds: ids, err: bookkeeping },
              'could not record a dispatch error',
            );
            return 0;
          });
      }
      return { kind: 'error', ids, priority: unit.rows[0]?.priority ?? 'unknown', failed, error: text };
    }
  }

  private async decide(
    client: Queryable,
    userId: string,
    now: Date,
    unit: { rows: QueueRow[] },
    rendered: RenderedTexts,
  ): Promise<Decision> {
    const recipient = await this.repository.lockRecipient(client, userId);
    if (recipient === 'busy') return { kind: 'busy' };
    const head = await this.repository.nextDueRow(client, userId, now);
    if (!head) return { kind: 'none' };
    unit.rows = head.sequence_id ? await this.repository.lockSequence(client, head.sequence_id) : [head];
    if (unit.rows.length === 0) unit.rows = [head];
    const rows = unit.rows;
    const ids = rows.map((row) => row.id);

    const end = async (kind: 'cancelled' | 'failed' | 'superseded', reason: string, by: string | null = null) => {
      await this.repository.finish(client, ids, kind, reason, by);
      return { kind, ids, priority: head.priority, reason } as const;
    };
    const hold = async (until: Date, reason: string) => {
      await this.repository.hold(client, ids, until, reason);
      return { kind: 'held', ids, priority: head.priority, until, reason } as const;
    };

    if (recipient === 'missing') return end('failed', 'the user does not exist');
    const problem = await this.malformed(client, head, rows);
    if (problem) return end('failed', problem);
    if (recipient.opted_out_at) return end('cancelled', OPTED_OUT_REASON);

    const newer = await this.repository.newerOnSubject(client, head);
    if (newer) return end('superseded', 'a newer text on the same subject was queued', newer);
    if (head.requires_fresh_context && head.subject) {
      const stale = await this.relevance.staleReason(client, {
        userId,
        subject: head.subject,
        queuedAt: head.created_at,
        now,
      });
      if (stale) return end('superseded', stale);
    }

    const timeZone = validTimezone(recipient.timezone);
    const date = localDate(now, timeZone);
    const budget = await this.repository.budget(client, userId, date);
    if (budget.messages_sent >= budget.daily_limit) {
      return hold(nextLocalMidnight(now, timeZone), `daily budget of ${budget.daily_limit} used (${date})`);
    }
    const active = await this.repository.textedSince(client, userId, new Date(now.getTime() - ACTIVE_USER_WINDOW_MS));
    if (!active) {
      const lastHour = await this.repository.sentSince(client, userId, new Date(now.getTime() - 3_600_000));
      if (lastHour.count >= budget.hourly_limit && lastHour.oldest) {
        return hold(new Date(lastHour.oldest.getTime() + 3_600_000), `hourly budget of ${budget.hourly_limit} used`);
      }
      const quietEnd = budget.quiet_hours_enabled
        ? quietHoursEnd(now, { start: recipient.quiet_hours_start, end: recipient.quiet_hours_end, timeZone })
        : null;
      if (quietEnd) return hold(quietEnd, `quiet hours in ${timeZone}`);
    }

    const role = head.agent_id?.trim() || this.defaultRole(recipient);
    // Rows queued with message_data only are rendered in the agent's voice, after every rule that
    // could hold or drop them, so no model call is spent on a text that does not go out now; and
    // outside this transaction, so the user's row is not locked during a model call.
    const unrendered = rows.filter((row) => !row.final_message?.trim() && !rendered.has(renderKey(row)));
    if (unrendered.length > 0) return { kind: 'render', role, rows: unrendered };
    const texts: string[] = [];
    for (const row of rows) {
      const written = row.final_message?.trim();
      if (written) {
        texts.push(written);
        continue;
      }
      const result = rendered.get(renderKey(row));
      if (!result?.ok) return end('failed', result?.reason ?? 'render failed');
      texts.push(result.text);
    }
    const conversationId = await this.repository.activeConversation(client, userId);
    const messageIds: string[] = [];
    for (const [index, row] of rows.entries()) {
      messageIds.push(await this.repository.send(client, row, texts[index], role, conversationId, now));
    }
    await this.repository.countSend(client, userId, date, now);
    return { kind: 'sent', ids, priority: head.priority, messageIds };
  }

  /** Why the unit can never be sent, or null. */
  private async malformed(client: Queryable, head: QueueRow, rows: QueueRow[]): Promise<string | null> {
    const unknown = rows.find((row) => !(MESSAGE_PRIORITIES as readonly string[]).includes(row.priority));
    if (unknown) return `unknown priority ${JSON.stringify(unknown.priority.slice(0, 40))}`;
    if (rows.some((row) => !row.final_message?.trim() && row.message_data == null)) {
      return 'empty text: final_message is empty and there is no message_data to render';
    }
    if (rows.some((row) => (row.final_message?.trim().length ?? 0) > MAX_SMS_LENGTH)) {
      return `text longer than ${MAX_SMS_LENGTH} characters, the most one SMS body may carry`;
    }
    if (!head.sequence_id) return null;
    const total = head.sequence_total;
    if (total === null || total < 1) return 'broken sequence: sequence_total is missing';
    if (rows.some((row) => row.user_id !== head.user_id || row.sequence_total !== total)) {
      return 'broken sequence: its parts disagree on the user or the total';
    }
    const positions = new Set(rows.map((row) => row.sequence_position));
    if (positions.has(null) || positions.size !== rows.length) return 'broken sequence: missing or repeated positions';
    if ((await this.repository.settledSequenceParts(client, head.sequence_id)) > 0) {
      return 'broken sequence: some parts already left the queue';
    }
    if (rows.length !== total) return `broken sequence: ${rows.length} of ${total} parts queued`;
    return null;
  }

  private defaultRole(recipient: Recipient): string {
    return chooseAgent({ verified: recipient.verified, pocAgentType: recipient.poc_agent_type }).agent;
  }
}
