import type { Pool } from 'pg';

/**
 * Invariants of the background workflows, in SQL, for tests and the chaos run: every handled
 * event done exactly once or dead with its reason, failed attempts counted, and each effect
 * applied once (credits, priorities, once-keys, close-the-loop texts).
 */

/** Test instrumentation: every event transition to done, to dead, and every failed attempt put back to retry. */
export async function installEventAudit(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS test_event_audit (
      event_id uuid NOT NULL, transition text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION test_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.processing_state = 'done' AND OLD.processing_state <> 'done' THEN
        INSERT INTO test_event_audit (event_id, transition) VALUES (NEW.id, 'done');
      ELSIF NEW.processing_state = 'dead' AND OLD.processing_state <> 'dead' THEN
        INSERT INTO test_event_audit (event_id, transition) VALUES (NEW.id, 'dead');
      ELSIF OLD.processing_state = 'processing' AND NEW.processing_state = 'pending'
            AND NEW.last_error IS NOT NULL AND NEW.next_attempt_at IS NOT NULL THEN
        INSERT INTO test_event_audit (event_id, transition) VALUES (NEW.id, 'retry');
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_event_audit ON events;
    CREATE TRIGGER test_event_audit AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION test_event_audit();`);
}

export interface WorkflowAudit {
  /** Events that failed at least once and were put back to retry. */
  eventsRetried: number;
  /** Failed attempts that were retried (an event may fail several times). */
  retries: number;
  /** Events marked done (or dead) more than once: handled twice. */
  eventsFinishedTwice: string[];
  /** Events not terminal: claimed at least once, or of a type the caller knows is handled. */
  eventsUnfinished: string[];
  /**
   * Events of a type without a handler that were touched anyway (claimed, finished or marked
   * processed): another reader's event consumed. Also what a caller's stale list of handled
   * types looks like, so the list cannot fall behind the code unnoticed.
   */
  notOursTouched: string[];
  /** Dead events without a `last_error` or without their copy in `event_dead_letters`. */
  deadWithoutReason: string[];
  /** Dead events the caller did not expect to die, and expected-dead ones that did not. */
  unexpectedDead: string[];
  expectedDeadNotDead: string[];
  /** Users whose `credit_balance` differs from the sum of their `credit_events`. */
  balanceMismatches: Array<{ userId: string; balance: number; ledger: number }>;
  credits: number;
  duplicateCreditKeys: string[];
  /** (user, item type, item) with more than one priority row. */
  duplicatePriorities: string[];
  /** Workflow texts (those with a `kind` in `message_data`) queued more than once for the same thing. */
  textsQueuedTwice: string[];
}

export interface WorkflowAuditOptions {
  /** Event types that have a handler: their events must all end done or dead. */
  handledTypes: string[];
  /** Events that point nowhere on purpose: they must be dead, with a reason. */
  expectDead: string[];
}

export async function auditWorkflows(pool: Pool, options: WorkflowAuditOptions): Promise<WorkflowAudit> {
  const ids = async (sql: string, params: unknown[] = []) =>
    (await pool.query<{ id: string }>(sql, params)).rows.map((row) => row.id);
  const retried = await pool.query<{ events: number; retries: number }>(
    `SELECT count(DISTINCT event_id)::int AS events, count(*)::int AS retries FROM test_event_audit WHERE transition = 'retry'`,
  );
  const balances = await pool.query<{ userId: string; balance: number; ledger: number }>(
    `SELECT u.id AS "userId", u.credit_balance AS balance, COALESCE(l.total, 0)::int AS ledger
     FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_events GROUP BY user_id) l ON l.user_id = u.id
     WHERE u.credit_balance IS DISTINCT FROM COALESCE(l.total, 0)`,
  );
  return {
    eventsRetried: retried.rows[0].events,
    retries: retried.rows[0].retries,
    eventsFinishedTwice: await ids(
      `SELECT event_id::text AS id FROM test_event_audit WHERE transition IN ('done', 'dead')
       GROUP BY event_id HAVING count(*) > 1`,
    ),
    eventsUnfinished: await ids(
      `SELECT id::text FROM events WHERE processing_state NOT IN ('done', 'dead')
         AND (attempts > 0 OR event_type = ANY($1::text[]))`,
      [options.handledTypes],
    ),
    notOursTouched: await ids(
      `SELECT id::text FROM events WHERE event_type <> ALL($1::text[])
         AND (processing_state <> 'pending' OR processed OR attempts > 0)`,
      [options.handledTypes],
    ),
    deadWithoutReason: await ids(
      `SELECT e.id::text FROM events e WHERE e.processing_state = 'dead'
         AND (e.last_error IS NULL OR NOT EXISTS (SELECT 1 FROM event_dead_letters d WHERE d.event_id = e.id))`,
    ),
    unexpectedDead: await ids(`SELECT id::text FROM events WHERE processing_state = 'dead' AND id <> ALL($1::uuid[])`, [
      options.expectDead,
    ]),
    expectedDeadNotDead: await ids(
      `SELECT id::text FROM events WHERE id = ANY($1::uuid[]) AND processing_state <> 'dead'`,
      [options.expectDead],
    ),
    balanceMismatches: balances.rows,
    credits: (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM credit_events`)).rows[0].n,
    duplicateCreditKeys: await ids(
      `SELECT idempotency_key AS id FROM credit_events GROUP BY idempotency_key HAVING count(*) > 1`,
    ),
    duplicatePriorities: await ids(
      `SELECT user_id || ' ' || item_type || ' ' || item_id AS id FROM user_priorities
       GROUP BY user_id, item_type, item_id HAVING count(*) > 1`,
    ),
    textsQueuedTwice: await ids(
      `SELECT user_id || ' ' || (message_data->>'kind') || ' ' || coalesce(subject, '') AS id FROM message_queue
       WHERE message_data ? 'kind' AND message_data->>'kind' <> 'priority_notification'
       GROUP BY user_id, message_data, subject, sequence_position HAVING count(*) > 1`,
    ),
  };
}
