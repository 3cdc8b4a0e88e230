import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

const check = (attemptCount: number) => JSON.stringify({ type: 're_engagement_check', attemptCount, currentStep: 'x' });

/**
 * The whole service in this process (local model): an agent's proactive text takes the queue,
 * never the immediate path, and the dispatcher sends it; a user who texted STOP gets none.
 */
describe('a proactive text from an agent turn', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ DATABASE_URL: db.url, MESSAGE_DISPATCH_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const newUser = async (): Promise<SeededUser> => {
    const user = await seedUser(db.pool);
    await db.pool.query(`UPDATE users SET quiet_hours_start = '00:00', quiet_hours_end = '00:00' WHERE id = $1`, [
      user.userId,
    ]);
    return user;
  };
  const settled = async (ids: string[]) =>
    expectEventually(async () => {
      const { rows } = await db.pool.query(
        `SELECT 1 FROM messages WHERE id = ANY($1::uuid[]) AND processing_state <> 'done'`,
        [ids],
      );
      expect(rows).toEqual([]);
    });

  it('is queued by the Bouncer’s re-engagement turn and sent by the dispatcher, not as a reply', async () => {
    const user = await newUser();
    await settled(await insertInbound(db.pool, user, ['hi']));
    const [system] = await insertInbound(db.pool, user, [check(1)], 'system');
    await settled([system]);

    const sent = await expectEventually(async () => {
      const { rows } = await db.pool.query<{
        id: string;
        role: string;
        content: string;
        reply_to_message_id: string | null;
      }>(
        `SELECT m.id, m.role, m.content, m.reply_to_message_id FROM message_queue q
           JOIN messages m ON m.id = q.delivered_message_id
          WHERE q.user_id = $1 AND q.subject = 're_engagement:bouncer' AND q.status = 'sent'`,
        [user.userId],
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    expect(sent).toMatchObject({ role: 'bouncer', reply_to_message_id: null });
    expect(sent.content.length).toBeGreaterThan(0);
    const replies = await db.pool.query(`SELECT 1 FROM messages WHERE reply_to_message_id = $1`, [system]);
    expect(replies.rows).toEqual([]);
  });

  it('is never produced for a user who texted STOP', async () => {
    const user = await newUser();
    await settled(await insertInbound(db.pool, user, ['hi']));
    await settled(await insertInbound(db.pool, user, ['STOP']));
    const [system] = await insertInbound(db.pool, user, [check(1)], 'system');
    await settled([system]);

    const queued = await db.pool.query(`SELECT status FROM message_queue WHERE user_id = $1`, [user.userId]);
    expect(queued.rows).toEqual([]);
    const actions = await db.pool.query<{ action_type: string }>(
      `SELECT action_type FROM agent_actions_log WHERE user_id = $1 AND action_type LIKE 'sms_%' ORDER BY created_at`,
      [user.userId],
    );
    expect(actions.rows.map((row) => row.action_type)).toEqual(['sms_opt_out', 'sms_text_while_opted_out']);
  });
});
