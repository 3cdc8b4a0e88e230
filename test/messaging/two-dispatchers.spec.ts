import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { seedUser } from '../support/seed';
import { lostQueuedTexts, queueSendProblems } from '../support/queue-audit';
import { ServiceProcess } from '../support/service-process';

const USERS = 300;

/**
 * Two built services (two Nest apps) dispatch one queue; one is SIGKILLed while sending. Every
 * queued text must go out exactly once: one outbound row per queue row, sequences whole, and each
 * user's budget counted once per unit.
 */
describe('two dispatchers on one queue, one killed midway', () => {
  let db: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i += 1) {
      services.push(
        await ServiceProcess.start({
          DATABASE_URL: db.url,
          INSTANCE_ID: `dispatcher-${i}`,
          MESSAGE_DISPATCH_INTERVAL_MS: '200',
          MESSAGE_DISPATCH_BATCH: '20',
        }),
      );
    }
    await Promise.all(services.map((service) => service.waitUntilHealthy()));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    await db?.drop();
  });

  it('sends every text exactly once', async () => {
    const users: string[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const user = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge' });
      users.push(user.userId);
    }
    // No quiet hours: the test must not depend on the hour it runs at.
    await db.pool.query(`UPDATE users SET quiet_hours_start = '00:00', quiet_hours_end = '00:00'`);
    // Per user: one single text and one sequence of two (two units, within the hourly cap).
    await db.pool.query(
      `INSERT INTO message_queue (user_id, agent_id, final_message, priority, sequence_id, sequence_position, sequence_total)
       SELECT u, 'concierge', 'single for ' || u, 'medium', NULL, NULL, NULL FROM unnest($1::uuid[]) AS u
       UNION ALL
       SELECT u, 'concierge', 'part ' || p || ' for ' || u, 'high', md5(u::text)::uuid, p, 2
         FROM unnest($1::uuid[]) AS u, generate_series(0, 1) AS p`,
      [users],
    );
    const total = USERS * 3;
    const sentCount = async () =>
      (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_queue WHERE status = 'sent'`)).rows[0]
        .n;

    const [victim, survivor] = services;
    await expectEventually(async () => expect(await sentCount()).toBeGreaterThanOrEqual(total / 5), {
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    await victim.stop('SIGKILL');
    const sentWhenKilled = await sentCount();
    expect(sentWhenKilled).toBeLessThan(total);

    await expectEventually(async () => expect(await sentCount()).toBe(total), { timeoutMs: 60_000, intervalMs: 200 });

    const perRow = await db.pool.query<{ n: number; matches: boolean }>(
      `SELECT count(m.id)::int AS n, bool_and(m.id = q.delivered_message_id AND m.content = q.final_message) AS matches
         FROM message_queue q LEFT JOIN messages m ON m.queue_message_id = q.id
        GROUP BY q.id HAVING count(m.id) <> 1 OR NOT bool_and(m.id = q.delivered_message_id AND m.content = q.final_message)`,
    );
    expect(perRow.rows).toEqual([]);
    expect(await queueSendProblems(db.pool)).toEqual([]);
    expect(await lostQueuedTexts(db.pool, 0)).toEqual([]);
    const outbound = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'outbound'`,
    );
    expect(outbound.rows[0].n).toBe(total);
    const budgets = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM user_message_budget WHERE messages_sent <> 2`,
    );
    expect(budgets.rows[0].n).toBe(0);
    // Sequences went out whole, each in one transaction: both parts carry one send time.
    const split = await db.pool.query(
      `SELECT sequence_id FROM message_queue WHERE sequence_id IS NOT NULL GROUP BY sequence_id HAVING count(DISTINCT sent_at) <> 1`,
    );
    expect(split.rows).toEqual([]);

    // Both instances sent, and the survivor logged no error.
    const sentBy = (service: ServiceProcess) =>
      service.logs().filter((line) => line.event === 'queued_message_sent').length;
    expect(sentBy(victim)).toBeGreaterThan(0);
    expect(sentBy(survivor)).toBeGreaterThan(0);
    expect(survivor.logs().filter((line) => line.level === 'error')).toEqual([]);
  }, 120_000);
});
