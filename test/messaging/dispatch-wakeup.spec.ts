import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { seedUser, type SeededUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

/**
 * The whole service in this process, on the real clock, with the backstop timer set to a minute:
 * a text that goes out within SENT_WITHIN_MS was woken by the NOTIFY trigger or by the timer set
 * for the next due text, not by the backstop. The bound is a third of the backstop, so a slow
 * machine has room and a missing wake-up still fails.
 */
const SENT_WITHIN_MS = 20_000;

describe('message dispatcher wake-ups', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: db.url, MESSAGE_DISPATCH_INTERVAL_MS: '60000' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** A user without quiet hours, so the test does not depend on the hour it runs at. */
  const newUser = async (): Promise<SeededUser> => {
    const user = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge' });
    await db.pool.query(`UPDATE users SET quiet_hours_start = '00:00', quiet_hours_end = '00:00' WHERE id = $1`, [
      user.userId,
    ]);
    return user;
  };
  const queue = async (user: SeededUser, text: string, delayMs = 0) =>
    (
      await db.pool.query<{ id: string; scheduled_for: Date }>(
        `INSERT INTO message_queue (user_id, agent_id, final_message, priority, scheduled_for)
         VALUES ($1, 'concierge', $2, 'medium', now() + $3 * interval '1 millisecond') RETURNING id, scheduled_for`,
        [user.userId, text, delayMs],
      )
    ).rows[0];
  const state = async (id: string) =>
    (
      await db.pool.query<{ status: string; sent_at: Date | null }>(
        `SELECT status, sent_at FROM message_queue WHERE id = $1`,
        [id],
      )
    ).rows[0];

  it('sends a text queued now long before the backstop, woken by the notification', async () => {
    const user = await newUser();
    const row = await queue(user, 'News for you');
    await expectEventually(async () => expect((await state(row.id)).status).toBe('sent'), {
      timeoutMs: SENT_WITHIN_MS,
    });
  });

  it('sends a text queued for later once it falls due, not before', async () => {
    const user = await newUser();
    const row = await queue(user, 'Later news', 1500);
    await expectEventually(async () => expect((await state(row.id)).status).toBe('sent'), {
      timeoutMs: SENT_WITHIN_MS,
    });
    const sent = await state(row.id);
    expect(sent.sent_at!.getTime()).toBeGreaterThanOrEqual(row.scheduled_for.getTime());
  });
});
