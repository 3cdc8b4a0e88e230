import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser, type SeededUser } from '../support/seed';
import { startTestApp } from '../support/test-app';
import { seededRandom } from '../support/seeded-random';
import { hostileTexts, hostileValues } from './bad-input.generator';

/**
 * Hostile rows written by other services or users: every one reaches a terminal state, nothing
 * crashes, no privilege changes, and ordinary users sending at the same time still get answers.
 */
describe('hostile rows at the table boundary', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({
      DATABASE_URL: db.url,
      SWEEP_INTERVAL_MS: '200',
      MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '50',
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const unfinished = async () =>
    (
      await db.pool.query(
        `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state IN ('pending', 'processing')`,
      )
    ).rows[0].n;

  it('answers or closes every hostile text and still answers ordinary users', async () => {
    const texts = hostileTexts(seededRandom(11), 60);
    const hostile: Array<{ user: SeededUser; name: string }> = [];
    for (const text of texts) {
      const user = await seedUser(db.pool);
      await db.pool.query(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status) VALUES ($1, $2, 'user', $3, 'inbound', 'delivered')`,
        [user.conversationId, user.userId, text.value],
      );
      hostile.push({ user, name: text.name });
    }
    // Rows other writers could produce: no user, no conversation, odd roles, broken system JSON.
    const orphan = await seedUser(db.pool);
    await db.pool.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status) VALUES
         (NULL, NULL, 'user', 'no user at all', 'inbound', 'delivered'),
         (NULL, $1, 'user', 'no conversation', 'inbound', 'delivered'),
         ($2, $1, 'assistant', 'odd role', 'inbound', 'delivered'),
         ($2, $1, 'system', '{"type":"re_engagement_check"', 'inbound', 'pending')`,
      [orphan.userId, orphan.conversationId],
    );
    const ordinary = await Promise.all(Array.from({ length: 5 }, () => seedUser(db.pool)));
    const ordinaryIds = (await Promise.all(ordinary.map((user) => insertInbound(db.pool, user, ['hi'])))).flat();

    await expectEventually(async () => expect(await unfinished()).toBe(0), { timeoutMs: 30_000, intervalMs: 100 });

    const states = await db.pool.query(
      `SELECT processing_state, count(*)::int AS n FROM messages WHERE direction = 'inbound' GROUP BY 1`,
    );
    for (const row of states.rows) expect(['done', 'dead']).toContain(row.processing_state);
    const answered = await db.pool.query(
      `SELECT count(DISTINCT reply_to_message_id)::int AS n FROM messages WHERE reply_to_message_id = ANY($1::uuid[])`,
      [ordinaryIds],
    );
    expect(answered.rows[0].n).toBe(ordinaryIds.length);

    // Nobody's words changed anyone's privileges.
    const promoted = await db.pool.query(
      `SELECT count(*)::int AS n FROM users WHERE verified OR poc_agent_type IS DISTINCT FROM 'bouncer'`,
    );
    expect(promoted.rows[0].n).toBe(0);
    // Every outbound text is a plain, bounded SMS body.
    const replies = await db.pool.query(`SELECT content FROM messages WHERE direction = 'outbound'`);
    for (const { content } of replies.rows) {
      expect(typeof content).toBe('string');
      expect((content as string).length).toBeGreaterThan(0);
      expect((content as string).length).toBeLessThan(2000);
    }
  });

  it('gives every hostile event payload a terminal state', async () => {
    const values = hostileValues(seededRandom(5), 20);
    const ids: string[] = [];
    for (const value of values) {
      const json = JSON.stringify(value === undefined ? null : value) ?? 'null';
      // jsonb cannot hold NUL: such a payload is refused to its writer and never reaches us.
      if (json.includes('\\u0000')) continue;
      ids.push(await insertEvent(db.pool, 'user.verified', JSON.parse(json)));
    }
    // A type with no handler here is not ours: however big, it is left untouched for other readers.
    const foreign = await insertEvent(db.pool, 'nobody.handles.this', { big: 'x'.repeat(1_000_000) });
    await expectEventually(
      async () => {
        const { rows } = await db.pool.query(`SELECT processing_state FROM events WHERE id = ANY($1::uuid[])`, [ids]);
        expect(rows.every((row) => row.processing_state === 'done' || row.processing_state === 'dead')).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const dead = await db.pool.query(
      `SELECT last_error FROM events WHERE id = ANY($1::uuid[]) AND processing_state = 'dead'`,
      [ids],
    );
    for (const row of dead.rows) expect(row.last_error).toMatch(/\w/);
    const untouched = await db.pool.query(`SELECT processing_state, processed, attempts FROM events WHERE id = $1`, [
      foreign,
    ]);
    expect(untouched.rows).toEqual([{ processing_state: 'pending', processed: false, attempts: 0 }]);
  });
});
