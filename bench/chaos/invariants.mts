import type pg from 'pg';
import { lostQueuedTexts, queueSendProblems, queueStatusCounts } from '../../test/support/queue-audit.ts';
import { auditReplies } from '../../test/support/turn-audit.ts';
import { auditWorkflows, type WorkflowAudit, type WorkflowAuditOptions } from '../../test/support/workflow-audit.ts';

export interface InvariantReport {
  messagesIn: number;
  messagesDone: number;
  messagesDead: number;
  eventsIn: number;
  eventsDone: number;
  eventsDead: number;
  /** Each event type's done / dead counts, e.g. `intro.opportunity_completed 40/0`. */
  eventTypes: string;
  replyGroups: number;
  /** message_queue rows by status. */
  queue: Record<string, number>;
  /** Queued texts sent twice or wrong: a sent row without exactly its one outbound text, or the reverse. */
  queueSentTwice: number;
  /** Queued texts that should have gone out and did not: overdue, or ended without being sent. */
  queueLost: number;
  /**
   * Texts or events marked done twice, reply groups that several committed claim tokens wrote,
   * queued texts sent twice, and workflow effects applied twice (credit keys, priorities, texts).
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
  /** The background workflows: retries, dead letters, credits, priorities, texts queued once. */
  workflows: WorkflowAudit;
  /** A few ids of each failure, for the post-mortem. */
  samples: Record<string, unknown[]>;
}

export async function checkInvariants(pool: pg.Pool, workflowOptions: WorkflowAuditOptions): Promise<InvariantReport> {
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
  const workflows = await auditWorkflows(pool, workflowOptions);
  const byType = await pool.query<{ event_type: string; done: number; dead: number; other: number }>(
    `SELECT event_type, count(*) FILTER (WHERE processing_state = 'done')::int AS done,
            count(*) FILTER (WHERE processing_state = 'dead')::int AS dead,
            count(*) FILTER (WHERE processing_state NOT IN ('done', 'dead'))::int AS other
     FROM events GROUP BY event_type ORDER BY event_type`,
  );
  const eventTypes = byType.rows
    .map((row) => `${row.event_type} ${row.done}/${row.dead}${row.other ? ` (+${row.other} not ours or open)` : ''}`)
    .join(', ');
  const eventsDoneTwice = workflows.eventsFinishedTwice;
  const eventsUnfinished = workflows.eventsUnfinished;
  const audit = await auditReplies(pool);
  const queueSentTwice = await queueSendProblems(pool);
  // The load's queued texts (and the texts its events ask for) are all due within seconds, for
  // members inside every budget, at their noon: every one must be sent. Overdue, or ended any other
  // way, is lost. A workflow's texts may rightly be superseded by newer news on the same subject.
  const queueLost = [
    ...(await lostQueuedTexts(pool, 5000)),
    ...(
      await pool.query<{ id: string; problem: string }>(
        `SELECT id::text, status || ': ' || coalesce(status_reason, superseded_reason, '') AS problem
         FROM message_queue WHERE status IN ('failed', 'cancelled', 'superseded')
           AND (subject LIKE 'chaos\\_notice:%' OR subject LIKE 'chaos\\_request:%')`,
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
    eventTypes,
    replyGroups: audit.groups.length,
    queue: await queueStatusCounts(pool),
    queueSentTwice: queueSentTwice.length,
    queueLost: queueLost.length,
    duplicates:
      textsDoneTwice.length +
      eventsDoneTwice.length +
      manyTokens.length +
      queueSentTwice.length +
      workflows.duplicateCreditKeys.length +
      workflows.duplicatePriorities.length +
      workflows.textsQueuedTwice.length,
    doubleAnswered: audit.doubleAnswered.length,
    repliesWithoutCommit: noCommit.length,
    lost: audit.lost.length + eventsUnfinished.length + queueLost.length,
    overlaps: audit.overlaps.length,
    workflows,
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
      balanceMismatches: workflows.balanceMismatches.slice(0, 5),
      deadWithoutReason: workflows.deadWithoutReason.slice(0, 5),
      unexpectedDead: workflows.unexpectedDead.slice(0, 5),
      expectedDeadNotDead: workflows.expectedDeadNotDead.slice(0, 5),
      textsQueuedTwice: workflows.textsQueuedTwice.slice(0, 5),
    },
  };
}
