import type { Pool } from 'pg';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';

export interface InsertedWork {
  messageIds: string[];
  eventIds: string[];
}

/** `users` new users who each text once (one turn each), and `events` `system.ping` events (handled, with no effect). */
export async function insertWork(pool: Pool, users: number, events: number, label: string): Promise<InsertedWork> {
  const messageIds: string[] = [];
  for (let i = 0; i < users; i += 1) {
    const user = await seedUser(pool);
    messageIds.push(...(await insertInbound(pool, user, [`${label} ${i}`])));
  }
  const eventIds: string[] = [];
  for (let i = 0; i < events; i += 1) eventIds.push(await insertEvent(pool, 'system.ping', { label, i }));
  return { messageIds, eventIds };
}

/**
 * Waits until every row is done, then proves each was handled exactly once: attempts = 1 on every
 * message and event, and exactly one reply turn per message (one `sequence_index = 0` outbound
 * row answering it; a second turn would add another). Reply text is the agents' business.
 */
export async function expectProcessedOnce(pool: Pool, work: InsertedWork, timeoutMs = 30_000): Promise<void> {
  await expectEventually(
    async () => {
      const messages = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND processing_state = 'done'`,
        [work.messageIds],
      );
      const events = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[]) AND processing_state = 'done'`,
        [work.eventIds],
      );
      expect({ messagesDone: messages.rows[0].n, eventsDone: events.rows[0].n }).toEqual({
        messagesDone: work.messageIds.length,
        eventsDone: work.eventIds.length,
      });
    },
    { timeoutMs, intervalMs: 50 },
  );
  const attempts = await pool.query<{ id: string; attempts: number }>(
    `SELECT id, attempts FROM messages WHERE id = ANY($1::uuid[])
     UNION ALL SELECT id, attempts FROM events WHERE id = ANY($2::uuid[])`,
    [work.messageIds, work.eventIds],
  );
  expect(attempts.rows.filter((row) => row.attempts !== 1)).toEqual([]);
  const turns = await pool.query<{ id: string; turns: number }>(
    `SELECT m.id, count(r.id)::int AS turns FROM messages m
       LEFT JOIN messages r ON r.reply_to_message_id = m.id AND r.direction = 'outbound' AND r.sequence_index = 0
     WHERE m.id = ANY($1::uuid[]) GROUP BY m.id`,
    [work.messageIds],
  );
  expect(turns.rows.filter((row) => row.turns !== 1)).toEqual([]);
  expect(turns.rows).toHaveLength(work.messageIds.length);
}
