import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { StoredTextScrubber } from '../logging/stored-text.scrubber';
import { ClaimRepository } from './claim.repository';
import type { EventOutcome, StoredEvent } from './event-handler';
import { OUTAGE_BUDGET_EXHAUSTED_PREFIX, type FailureKind } from './failure-kind';
import { OutcomeWriter } from './outcome.writer';
import { DIES_SQL } from './turn.repository';

export interface ClaimedEvent {
  key: string;
  eventId: string;
  token: string;
  attempts: number;
  /** Null when the row is malformed (e.g. payload not an object); the reason says why. */
  event: StoredEvent | null;
  invalidReason?: string;
}

export type EventClaimOutcome = { kind: 'claimed'; claimed: ClaimedEvent } | { kind: 'busy' } | { kind: 'nothing' };

interface EventRow {
  id: string;
  event_type: string;
  aggregate_id: string | null;
  aggregate_type: string | null;
  payload: unknown;
  metadata: unknown;
  created_at: Date;
  attempts: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function toStoredEvent(row: EventRow): { event: StoredEvent | null; invalidReason?: string } {
  if (!isObject(row.payload)) return { event: null, invalidReason: 'payload is not a JSON object' };
  if (row.event_type.trim() === '') return { event: null, invalidReason: 'event_type is empty' };
  return {
    event: {
      id: row.id,
      eventType: row.event_type,
      aggregateId: row.aggregate_id,
      aggregateType: row.aggregate_type,
      payload: row.payload,
      metadata: isObject(row.metadata) ? row.metadata : null,
      createdAt: row.created_at,
    },
  };
}

/** SQL of event processing: claim one event, then mark it done, retry it, dead-letter it or release it. */
@Injectable()
export class EventRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly claims: ClaimRepository,
    private readonly outcomes: OutcomeWriter,
    private readonly scrubber: StoredTextScrubber,
  ) {}

  /**
   * Claims the event if it is due. An event whose type is in `orderedTypes` waits while an older
   * event of the same aggregate and an ordered type is unfinished, so such events are handled one
   * at a time, oldest first, across all instances (a dead one no longer holds the others back).
   * Only `handledTypes` are ever claimed: any other type is not ours and stays untouched (the
   * engine always passes them; null, for tests of the repository alone, claims any type).
   */
  claim(
    eventId: string,
    owner: string,
    leaseMs: number,
    orderedTypes: readonly string[] = [],
    handledTypes: readonly string[] | null = null,
  ): Promise<EventClaimOutcome> {
    const key = `event:${eventId}`;
    return this.database.transaction(async (client) => {
      const token = await this.claims.take(client, key, owner, leaseMs);
      if (token === null) return { kind: 'busy' };
      const claimed = await client.query<EventRow>(
        `UPDATE events SET processing_state = 'processing', claim_token = $2, attempts = attempts + 1, next_attempt_at = NULL
         WHERE id = $1 AND ($4::text[] IS NULL OR event_type = ANY($4::text[])) AND (
           (processing_state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now()))
           OR processing_state = 'processing')
           AND NOT (event_type = ANY($3::text[]) AND aggregate_id IS NOT NULL AND EXISTS (
             SELECT 1 FROM events older
             WHERE older.aggregate_id = events.aggregate_id AND older.event_type = ANY($3::text[])
               AND older.processing_state IN ('pending', 'processing')
               AND (older.created_at, older.id) < (events.created_at, events.id)))
         RETURNING id, event_type, aggregate_id, aggregate_type, payload, metadata, created_at, attempts`,
        [eventId, token, orderedTypes, handledTypes],
      );
      const row = claimed.rows[0];
      if (!row) {
        await this.claims.release(client, key, token);
        return { kind: 'nothing' };
      }
      return { kind: 'claimed', claimed: { key, eventId, token, attempts: row.attempts, ...toStoredEvent(row) } };
    });
  }

  /** The oldest unfinished event of an ordered type for the aggregate: the next one in line. */
  async nextInAggregate(aggregateId: string, orderedTypes: readonly string[]): Promise<string | null> {
    const rows = await this.database.query<{ id: string }>(
      `SELECT id FROM events
       WHERE aggregate_id = $1 AND event_type = ANY($2::text[]) AND processing_state IN ('pending', 'processing')
       ORDER BY created_at, id LIMIT 1`,
      [aggregateId, orderedTypes],
    );
    return rows[0]?.id ?? null;
  }

  /** Commits the handler's outcome with the done-marker; `outcome` says 'handled' or 'skipped'. */
  complete(
    claimed: ClaimedEvent,
    result: EventOutcome,
    outcome: 'handled' | 'skipped',
  ): Promise<'committed' | 'stale'> {
    return this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, claimed.key, claimed.token))) return 'stale';
      await result.write?.(client);
      await this.outcomes.write(client, result);
      await client.query(
        `UPDATE events SET processing_state = 'done', processed = true, processed_at = now(), outcome = $3,
           claim_token = NULL, last_error = NULL
         WHERE id = $1 AND claim_token = $2`,
        [claimed.eventId, claimed.token, outcome],
      );
      await this.claims.release(client, claimed.key, claimed.token);
      return 'committed';
    });
  }

  /**
   * A failed attempt, by whose fault it was (see failure-kind.ts), like a turn's:
   * - `own`: charged to the event; dead after `maxAttempts` charged failures (0: dead at once);
   * - `outage` (the database or the model down, slow or overloaded): not charged; dead only once
   *   the event has kept failing for longer than `outageBudgetMs`;
   * - `config` (the model API refuses our credentials or configuration): not charged, never dead.
   * Otherwise it waits `retryDelayMs`. A dead event is copied to event_dead_letters; one that
   * outlived the outage budget has its error prefixed `outage budget exhausted: `.
   */
  fail(
    claimed: ClaimedEvent,
    rawError: string,
    maxAttempts: number,
    retryDelayMs: number,
    failure: { kind: FailureKind; outageBudgetMs?: number } = { kind: 'own' },
  ): Promise<'dead' | 'retry' | 'stale'> {
    const error = this.scrubber.errorText(rawError);
    return this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, claimed.key, claimed.token))) return 'stale';
      const updated = await client.query<{ id: string; processing_state: string }>(
        `WITH judged AS (
           SELECT id, ${DIES_SQL} AS dies
           FROM events WHERE id = $1 AND claim_token = $2
         )
         UPDATE events e SET
           processing_state = CASE WHEN judged.dies THEN 'dead' ELSE 'pending' END,
           processed_at = CASE WHEN judged.dies THEN now() END,
           next_attempt_at = CASE WHEN judged.dies THEN NULL ELSE now() + $4 * interval '1 millisecond' END,
           charged_failures = e.charged_failures + CASE WHEN $6 = 'own' THEN 1 ELSE 0 END,
           first_failed_at = COALESCE(e.first_failed_at, now()),
           last_error = CASE WHEN judged.dies AND $6 = 'outage' THEN $8 || $5 ELSE $5 END,
           outcome = CASE WHEN judged.dies THEN 'dead' END, claim_token = NULL
         FROM judged WHERE e.id = judged.id
         RETURNING e.id, e.processing_state`,
        [
          claimed.eventId,
          claimed.token,
          maxAttempts,
          retryDelayMs,
          error,
          failure.kind,
          failure.outageBudgetMs ?? 0,
          OUTAGE_BUDGET_EXHAUSTED_PREFIX,
        ],
      );
      const dead = updated.rows[0]?.processing_state === 'dead';
      if (dead) {
        await client.query(
          `INSERT INTO event_dead_letters (event_id, event_type, payload, error_message, retry_count, original_created_at)
           SELECT id, event_type, payload, last_error, attempts, created_at FROM events WHERE id = $1`,
          [claimed.eventId],
        );
      }
      await this.claims.release(client, claimed.key, claimed.token);
      return dead ? 'dead' : 'retry';
    });
  }

  /** Gives the event back untouched (shutdown). */
  async release(claimed: ClaimedEvent): Promise<void> {
    await this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, claimed.key, claimed.token))) return;
      await client.query(
        `UPDATE events SET processing_state = 'pending', attempts = GREATEST(attempts - 1, 0), claim_token = NULL
         WHERE id = $1 AND claim_token = $2`,
        [claimed.eventId, claimed.token],
      );
      await this.claims.release(client, claimed.key, claimed.token);
    });
  }
}
