import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';
import { randomInt, seededRandom } from '../support/seeded-random';
import { auditReplies, installTurnAudit, overlappingTurns, turnWindows } from '../support/turn-audit';

const USERS = 200;
const MESSAGES_PER_USER = 10;
const INSTANCES = 3;

/** Deterministic burst sizes (1–4 texts sent together) so failures reproduce. */
function bursts(seed: number): number[] {
  const sizes: number[] = [];
  let left = MESSAGES_PER_USER;
  const random = seededRandom(seed);
  while (left > 0) {
    const size = Math.min(left, randomInt(random, 1, 4));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

describe('three instances under a burst load', () => {
  let db: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await installTurnAudit(db.pool);
    for (let i = 0; i < INSTANCES; i += 1) {
      services.push(
        await ServiceProcess.start({
          DATABASE_URL: db.url,
          MAX_CONCURRENCY: '8',
          SWEEP_INTERVAL_MS: '500',
          INSTANCE_ID: `instance-${i}`,
        }),
      );
    }
    await Promise.all(services.map((service) => service.waitUntilHealthy()));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await db?.drop();
  });

  it('answers 2,000 texts from 200 users exactly once each, one turn per user at a time, in order', async () => {
    const users: SeededUser[] = [];
    for (let i = 0; i < USERS; i += 1) users.push(await seedUser(db.pool));
    // Rounds of bursts: every user sends its next burst in each round, users interleaved.
    const plans = users.map((user, index) => ({ user, sizes: bursts(index + 1), sent: 0 }));
    for (let round = 0; plans.some((plan) => round < plan.sizes.length); round += 1) {
      const due = plans.filter((plan) => round < plan.sizes.length);
      await inParallel(due, 8, async (plan) => {
        const texts = Array.from({ length: plan.sizes[round] }, (_, k) => `text ${plan.sent + k + 1}`);
        plan.sent += texts.length;
        await insertInbound(db.pool, plan.user, texts);
      });
    }

    await expectEventually(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
        );
        expect(rows[0].n).toBe(0);
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    const inbound = await db.pool.query(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'done' AND attempts = 1`,
    );
    expect(inbound.rows[0].n).toBe(USERS * MESSAGES_PER_USER);

    // Exactly once: every message was marked done by exactly one claim token.
    const doneMarks = await db.pool.query(
      `SELECT message_id, count(*)::int AS n FROM test_turn_audit WHERE transition = 'done' GROUP BY message_id HAVING count(*) <> 1`,
    );
    expect(doneMarks.rows).toEqual([]);

    // One reply turn per claim, and nothing answered twice.
    const windows = await turnWindows(db.pool);
    const replies = await db.pool.query(
      `SELECT count(DISTINCT reply_to_message_id)::int AS turns, count(*)::int AS texts FROM messages WHERE direction = 'outbound'`,
    );
    expect(replies.rows[0].turns).toBe(windows.length);

    // Never two turns of one user at once, across all instances (database clock).
    expect(overlappingTurns(windows)).toEqual([]);

    // Every reply group written by exactly one committed claim, every text answered by exactly one
    // group, no attempt (abandoned ones included) overlapping another of the same user.
    const audit = await auditReplies(db.pool);
    expect(audit.groups).toHaveLength(windows.length);
    expect(audit.groupsWithoutOneToken).toEqual([]);
    expect(audit.doubleAnswered).toEqual([]);
    expect(audit.lost).toEqual([]);
    expect(audit.overlaps).toEqual([]);

    // Replies in per-user order: each later reply answers a later text.
    const disorder = await db.pool.query(`
      SELECT o.user_id FROM (
        SELECT r.user_id, i.created_at AS answered_at,
               lag(i.created_at) OVER (PARTITION BY r.user_id ORDER BY r.created_at, r.sequence_index) AS previous
        FROM messages r JOIN messages i ON i.id = r.reply_to_message_id
        WHERE r.direction = 'outbound') o
      WHERE o.previous > o.answered_at`);
    expect(disorder.rows).toEqual([]);

    // The instances' metrics add up to the turns committed.
    const doneCounts = await Promise.all(
      services.map(async (service) => {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        return Number(/realtime_processor_work_total\{kind="message",outcome="done"\} (\d+)/.exec(text)?.[1] ?? 0);
      }),
    );
    expect(doneCounts.reduce((sum, count) => sum + count, 0)).toBe(windows.length);

    // Work was shared and no instance logged an error (e.g. a unique-constraint violation).
    const turnsByInstance = services.map(
      (service) => service.logs().filter((line) => line.event === 'message_processed').length,
    );
    expect(turnsByInstance.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    for (const service of services) expect(service.logs().filter((line) => line.level === 'error')).toEqual([]);
  }, 180_000);
});
