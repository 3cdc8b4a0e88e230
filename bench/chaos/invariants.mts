import type pg from 'pg';
import { lostQueuedTexts, queueSendProblems, queueStatusCounts } from '../../test/support/queue-audit.ts';
import { auditReplies } from '../../test/support/turn-audit.ts';

export interface InvariantReport {
  messagesIn: number;
  messagesDone: number;
  messagesDead: number;
  eventsIn: number;
  eventsDone: number;
  eventsDead: number;
  replyGroups: number;
  /** message_queue rows by status. */
  queue: Record<string, number>;
  /** Queued texts sent twice or wrong: a sent row without exactly its one outbound text, or the reverse. */
  queueSentTwice: number;
  /** Queued texts that should have gone out and did not: overdue, or ended without being sent. */
  queueLost: number;
  /**
   * Texts or events marked done twice, reply groups that several committed claim tokens wrote, and
   * queued texts sent twice.
   */
  duplicates: number;
  /** Texts answered by more than one reply group. */
  doubleAnswered: number;
  /** Reply groups written by a claim token that committed nothing (a stale worker past the fence). */
  repliesWithoutCommit: number;
  /**
   * Texts not terminal, or terminal with neither a reply nor a recorded reason; events not
   * terminal; queued texts that should have gone out and did not.
   */
  lost: number;
  /** Attempts on one claim key that overlapped in time, abandoned attempts included. */
  overlaps: number;
  /** A few ids of each failure, for the post-mortem. */
  samples: Record<string, unknown[]>;
}

/** Test instrumentation for events: every transition to done, to count double handling. */
export async function installEventAudit(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS chaos_event_audit (event_id uuid, at timestamptz DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION chaos_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.processing_state = 'done' AND OLD.processing_state <> 'done' THEN
        INSERT INTO chaos_event_audit (event_id) VALUES (NEW.id);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER chaos_event_audit AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION chaos_event_audit();`);
}

export async function checkInvariants(pool: pg.Pool): Promise<InvariantReport> {
  const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
  const ids = async (sql: string) => (await pool.query<{ id: string }>(sql)).rows.map((row) => row.id);
  const messagesIn = await count(`SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'`);
  const messagesDone = await count(
    `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'done'`,
  );
  const messagesDead = await count(
    `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'dead'`,
  );
  const eventsIn = await count(`SELECT count(*)::int AS n FROM events`);
  const eventsDone = await count(`SELECT count(*)::int AS n FROM events WHERE processing_state = 'done'`);
  const eventsDead = await count(`SELECT count(*)::int AS n FROM events WHERE processing_state = 'dead'`);
  const textsDoneTwice = await ids(
    `SELECT message_id AS id FROM test_turn_audit WHERE transition = 'done' GROUP BY message_id HAVING count(*) > 1`,
  );
  const eventsDoneTwice = await ids(
    `SELECT event_id AS id FROM chaos_event_audit GROUP BY event_id HAVING count(*) > 1`,
  );
  const eventsUnfinished = await ids(`SELECT id FROM events WHERE processing_state NOT IN ('done', 'dead')`);
  const audit = await auditReplies(pool);
  const queueSentTwice = await queueSendProblems(pool);
  // The load's queued texts are all due within seconds, for members inside every budget, at their
  // noon: every one must be sent. Overdue, or ended any other way, is lost.
  const queueLost = [
    ...(await lostQueuedTexts(pool, 5000)),
    ...(
      await pool.query<{ id: string; problem: string }>(
        `SELECT id::text, status || ': ' || coalesce(status_reason, superseded_reason, '') AS problem
         FROM message_queue WHERE status IN ('failed', 'cancelled', 'superseded')`,
      )
    ).rows,
  ];
  const manyTokens = audit.groupsWithoutOneToken.filter((group) => group.committedBy.length > 1);
  const noCommit = audit.groupsWithoutOneToken.filter((group) => group.committedBy.length === 0);
  return {
    messagesIn,
    messagesDone,
    messagesDead,
    eventsIn,
    eventsDone,
    eventsDead,
    replyGroups: audit.groups.length,
    queue: await queueStatusCounts(pool),
    queueSentTwice: queueSentTwice.length,
    queueLost: queueLost.length,
    duplicates: textsDoneTwice.length + eventsDoneTwice.length + manyTokens.length + queueSentTwice.length,
    doubleAnswered: audit.doubleAnswered.length,
    repliesWithoutCommit: noCommit.length,
    lost: audit.lost.length + eventsUnfinished.length + queueLost.length,
    overlaps: audit.overlaps.length,
    samples: {
      textsDoneTwice: textsDoneTwice.slice(0, 5),
      eventsDoneTwice: eventsDoneTwice.slice(0, 5),
      groupsOfSeveralTokens: manyTokens.slice(0, 5),
      groupsWithoutCommit: noCommit.slice(0, 5),
      doubleAnswered: audit.doubleAnswered.slice(0, 5),
      lostTexts: audit.lost.slice(0, 5),
      eventsUnfinished: eventsUnfinished.slice(0, 5),
      overlaps: audit.overlaps.slice(0, 5),
      queueSentTwice: queueSentTwice.slice(0, 5),
      queueLost: queueLost.slice(0, 5),
    },
  };
}
