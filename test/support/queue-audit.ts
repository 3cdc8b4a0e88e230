import type { Pool } from 'pg';

/**
 * Invariants of the message queue, in SQL, for tests and the chaos run. Every dispatcher rule
 * either ends a queued row (sent, cancelled, superseded, failed) or moves its `scheduled_for`
 * forward, so with a dispatcher running no `queued` row stays overdue for long.
 */

export interface QueueProblem {
  id: string;
  problem: string;
}

/**
 * Lost: still `queued` although `scheduled_for` passed more than `graceMs` ago (database clock).
 * Give a grace of a few backstop intervals (MESSAGE_DISPATCH_INTERVAL_MS) plus any fault window.
 */
export async function lostQueuedTexts(pool: Pool, graceMs: number): Promise<QueueProblem[]> {
  const { rows } = await pool.query<QueueProblem>(
    `SELECT id::text, 'queued ' || round(extract(epoch FROM now() - scheduled_for))::text || ' s after it was due' AS problem
       FROM message_queue WHERE status = 'queued' AND scheduled_for < now() - $1 * interval '1 millisecond'`,
    [graceMs],
  );
  return rows;
}

/**
 * Sent twice or sent wrong: a `sent` row without exactly one outbound message carrying its id
 * (and matching `delivered_message_id`), or an outbound message of a queue row that is not `sent`.
 */
export async function queueSendProblems(pool: Pool): Promise<QueueProblem[]> {
  const { rows } = await pool.query<QueueProblem>(
    `SELECT q.id::text, 'sent with ' || count(m.id) || ' outbound rows' AS problem
       FROM message_queue q LEFT JOIN messages m ON m.queue_message_id = q.id
      WHERE q.status = 'sent'
      GROUP BY q.id
     HAVING count(m.id) <> 1 OR bool_or(m.id IS DISTINCT FROM q.delivered_message_id)
     UNION ALL
     SELECT q.id::text, 'status ' || q.status || ' but an outbound row exists'
       FROM message_queue q JOIN messages m ON m.queue_message_id = q.id
      WHERE q.status <> 'sent'`,
  );
  return rows;
}

/** Queue rows by status, for reports. */
export async function queueStatusCounts(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM message_queue GROUP BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}
