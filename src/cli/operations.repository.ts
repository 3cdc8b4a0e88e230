import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { BacklogRepository, type BacklogSnapshot } from '../realtime/backlog.repository';
import { seedDemo, type DemoSeed } from './demo-seed';

export type ItemKind = 'message' | 'event';

export interface DeadItem {
  id: string;
  kind: ItemKind;
  /** The event type, or the inbound message's role. */
  type: string;
  attempts: number;
  created_at: Date;
  died_at: Date | null;
  error: string | null;
}

export interface DeadItemDetail extends DeadItem {
  user_id: string | null;
  conversation_id: string | null;
  aggregate_id: string | null;
  /** Keys of an event's payload (not the values: they may quote a user). */
  payload_keys: string[];
  /** A dead text's fallback reply was written. */
  fallback_sent: boolean;
}

export interface Failure {
  id: string;
  kind: ItemKind;
  type: string;
  state: string;
  attempts: number;
  at: Date | null;
  error: string;
}

export type RequeueResult = 'requeued' | 'not_dead' | 'not_found';

export interface ReplayCandidate {
  id: string;
  event_type: string;
  state: string;
  created_at: Date;
  processed_at: Date | null;
}

export type ReplaySelection = { eventIds: string[] } | { type: string; since: Date; until: Date };

export interface ReplayPlan {
  key: string;
  /** Finished events (done or dead): these run again. */
  replayable: ReplayCandidate[];
  /** Pending or running: left alone. */
  skipped: ReplayCandidate[];
}

export interface ReplayResult extends ReplayPlan {
  state: 'replayed' | 'already_replayed' | 'nothing_to_replay';
  replayed: string[];
}

/**
 * The default idempotency key of a replay: the set of events. The same events are replayed once,
 * however often (or however concurrently) the command runs; replaying them again on purpose takes
 * a new `--key`.
 */
export function replayKey(events: Pick<ReplayCandidate, 'id'>[]): string {
  const ids = events.map((event) => event.id).sort();
  return `replay:${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 24)}`;
}

const TEXT_LIMIT = 4000;

/** SQL of the operator CLI: dead items, requeue, replay and the status reads. Never reads message content. */
export class OperationsRepository {
  private readonly backlog = new BacklogRepository();

  constructor(private readonly pool: Pool) {}

  backlogSnapshot(): Promise<BacklogSnapshot> {
    return this.backlog.read(this.pool);
  }

  /** The most recent failed attempts that have not since succeeded (a success clears last_error). */
  async recentFailures(limit: number): Promise<Failure[]> {
    const result = await this.pool.query<Failure>(
      `SELECT * FROM (
         SELECT id, 'message' AS kind, role AS type, processing_state AS state, attempts,
                CASE WHEN processing_state = 'dead' THEN processed_at ELSE next_attempt_at END AS at,
                last_error AS error
         FROM messages
         WHERE direction = 'inbound' AND last_error IS NOT NULL AND processing_state IN ('pending', 'processing', 'dead')
         UNION ALL
         SELECT id, 'event', event_type, processing_state, attempts,
                CASE WHEN processing_state = 'dead' THEN processed_at ELSE next_attempt_at END,
                last_error
         FROM events
         WHERE last_error IS NOT NULL AND processing_state IN ('pending', 'processing', 'dead')
       ) failures
       ORDER BY at DESC NULLS LAST, id
       LIMIT $1`,
      [limit],
    );
    return result.rows;
  }

  async deadItems(kind: ItemKind | 'all', limit: number): Promise<DeadItem[]> {
    const result = await this.pool.query<DeadItem>(
      `SELECT * FROM (
         SELECT id, 'message' AS kind, role AS type, attempts, created_at, processed_at AS died_at, last_error AS error
         FROM messages WHERE processing_state = 'dead' AND $1 IN ('all', 'message')
         UNION ALL
         SELECT id, 'event', event_type, attempts, created_at, processed_at, last_error
         FROM events WHERE processing_state = 'dead' AND $1 IN ('all', 'event')
       ) dead
       ORDER BY died_at DESC NULLS LAST, id
       LIMIT $2`,
      [kind, limit],
    );
    return result.rows;
  }

  async deadItem(id: string): Promise<DeadItemDetail | null> {
    const message = await this.pool.query<DeadItemDetail>(
      `SELECT m.id, 'message' AS kind, m.role AS type, m.attempts, m.created_at, m.processed_at AS died_at,
              m.last_error AS error, m.user_id, m.conversation_id, NULL AS aggregate_id,
              ARRAY[]::text[] AS payload_keys,
              EXISTS (SELECT 1 FROM messages r WHERE r.reply_to_message_id = m.id AND r.direction = 'outbound') AS fallback_sent
       FROM messages m WHERE m.id = $1 AND m.direction = 'inbound' AND m.processing_state = 'dead'`,
      [id],
    );
    if (message.rows[0]) return message.rows[0];
    const event = await this.pool.query<DeadItemDetail>(
      `SELECT id, 'event' AS kind, event_type AS type, attempts, created_at, processed_at AS died_at,
              last_error AS error, NULL AS user_id, NULL AS conversation_id, aggregate_id::text AS aggregate_id,
              CASE WHEN jsonb_typeof(payload) = 'object'
                   THEN ARRAY(SELECT jsonb_object_keys(payload) ORDER BY 1) ELSE ARRAY[]::text[] END AS payload_keys,
              false AS fallback_sent
       FROM events WHERE id = $1 AND processing_state = 'dead'`,
      [id],
    );
    return event.rows[0] ?? null;
  }

  /** The state of a message or event, whatever it is; null when no such row exists. */
  async stateOf(id: string): Promise<{ kind: ItemKind; state: string | null } | null> {
    const result = await this.pool.query<{ kind: ItemKind; state: string | null }>(
      `SELECT 'message' AS kind, processing_state AS state FROM messages WHERE id = $1 AND direction = 'inbound'
       UNION ALL
       SELECT 'event', processing_state FROM events WHERE id = $1`,
      [id],
    );
    return result.rows[0] ?? null;
  }

  /**
   * A dead message or event back to pending with its attempts reset, logged with who asked; the
   * next sweep wakes it up. A dead text keeps its fallback reply: the engine never writes a second
   * one (and a later real reply follows it).
   */
  async requeue(id: string, requestedBy: string): Promise<{ kind: ItemKind | null; result: RequeueResult }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const reset = await client.query<{ kind: ItemKind }>(
        `WITH message AS (
           UPDATE messages SET processing_state = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL,
             processed_at = NULL, claim_token = NULL, charged_failures = 0, first_failed_at = NULL, outcome = NULL
           WHERE id = $1 AND direction = 'inbound' AND processing_state = 'dead'
           RETURNING id
         ), event AS (
           UPDATE events SET processing_state = 'pending', processed = false, attempts = 0, next_attempt_at = NULL,
             last_error = NULL, processed_at = NULL, outcome = NULL, claim_token = NULL
           WHERE id = $1 AND processing_state = 'dead'
           RETURNING id
         )
         SELECT 'message' AS kind FROM message UNION ALL SELECT 'event' FROM event`,
        [id],
      );
      const kind = reset.rows[0]?.kind;
      if (kind) {
        await client.query(
          `INSERT INTO agent_actions_log (agent_type, action_type, input_data)
           VALUES ('operator', 'dead_requeued', $1)`,
          [{ kind, id, requested_by: requestedBy }],
        );
      }
      await client.query('COMMIT');
      if (kind) return { kind, result: 'requeued' };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const current = await this.stateOf(id);
    return current ? { kind: current.kind, result: 'not_dead' } : { kind: null, result: 'not_found' };
  }

  /** The README's demo member (src/cli/demo-seed.ts), in one transaction; idempotent. */
  async seedDemo(phone: string): Promise<DemoSeed> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const seeded = await seedDemo(client, phone);
      await client.query('COMMIT');
      return seeded;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The events a selection names, oldest first; at most `limit + 1`, so a caller can tell a match is too large. */
  async replayCandidates(selection: ReplaySelection, limit: number): Promise<ReplayCandidate[]> {
    const columns = `id, event_type, processing_state AS state, created_at, processed_at`;
    const result =
      'eventIds' in selection
        ? await this.pool.query<ReplayCandidate>(
            `SELECT ${columns} FROM events WHERE id = ANY($1::uuid[]) ORDER BY created_at, id LIMIT $2`,
            [selection.eventIds, limit + 1],
          )
        : await this.pool.query<ReplayCandidate>(
            `SELECT ${columns} FROM events
             WHERE event_type = $1 AND created_at >= $2 AND created_at < $3
             ORDER BY created_at, id LIMIT $4`,
            [selection.type, selection.since, selection.until, limit + 1],
          );
    return result.rows;
  }

  plan(candidates: ReplayCandidate[], key?: string): ReplayPlan {
    const replayable = candidates.filter((event) => event.state === 'done' || event.state === 'dead');
    const skipped = candidates.filter((event) => !replayable.includes(event));
    return { key: key ?? replayKey(replayable), replayable, skipped };
  }

  /**
   * Runs the plan once per key: under a transaction-scoped advisory lock on the key, a key already
   * in agent_actions_log replays nothing; otherwise the finished events go back to pending
   * (attempts reset) and the replay is logged with who asked, in the same transaction.
   */
  async replay(plan: ReplayPlan, requestedBy: string, selection: ReplaySelection): Promise<ReplayResult> {
    if (plan.replayable.length === 0) return { ...plan, state: 'nothing_to_replay', replayed: [] };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [plan.key]);
      const done = await client.query(
        `SELECT 1 FROM agent_actions_log WHERE action_type = 'event_replay' AND input_data ->> 'key' = $1 LIMIT 1`,
        [plan.key],
      );
      if (done.rowCount) {
        await client.query('COMMIT');
        return { ...plan, state: 'already_replayed', replayed: [] };
      }
      const reset = await client.query<{ id: string }>(
        `UPDATE events SET processing_state = 'pending', processed = false, attempts = 0, next_attempt_at = NULL,
           last_error = NULL, processed_at = NULL, outcome = NULL, claim_token = NULL
         WHERE id = ANY($1::uuid[]) AND processing_state IN ('done', 'dead')
         RETURNING id`,
        [plan.replayable.map((event) => event.id)],
      );
      const replayed = reset.rows.map((row) => row.id);
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, input_data)
         VALUES ('operator', 'event_replay', $1)`,
        [
          {
            key: plan.key,
            requested_by: requestedBy,
            event_ids: replayed,
            selection:
              'eventIds' in selection
                ? { event_ids: selection.eventIds }
                : { type: selection.type, since: selection.since.toISOString(), until: selection.until.toISOString() },
          },
        ],
      );
      await client.query('COMMIT');
      return { ...plan, state: 'replayed', replayed };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Error texts in tables stay on one line and bounded. */
export function oneLine(text: string | null, max = 100): string {
  if (text === null) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, Math.min(max, TEXT_LIMIT) - 1)}…` : flat;
}
