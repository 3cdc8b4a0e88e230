// Claim affinity (CLAIM_AFFINITY=true) across real service processes on real PostgreSQL: only a
// turn's owner among the live instances tries to claim it on a fresh wake-up; a stalled owner's
// texts are taken by another instance's sweep once due longer than the grace; an instance that
// dies or joins re-routes its users within a heartbeat. Ownership only decides who tries: every
// text is still answered exactly once (the multi-instance suite runs with affinity on and off).
import type { Pool } from 'pg';
import { rendezvousOwner } from '../../src/routing/rendezvous';
import { turnKey } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

/** Every take of a user's claim, won or refused, with the instance that tried (a BEFORE INSERT trigger sees both). */
async function installClaimTakeLog(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE test_claim_takes (claim_key text NOT NULL, owner text NOT NULL, at timestamptz DEFAULT clock_timestamp());
    CREATE FUNCTION test_claim_take() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.claim_key LIKE 'user:%' THEN INSERT INTO test_claim_takes (claim_key, owner) VALUES (NEW.claim_key, NEW.owner); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_claim_take BEFORE INSERT ON processing_claims FOR EACH ROW EXECUTE FUNCTION test_claim_take();`);
}

async function takesOf(pool: Pool, user: SeededUser): Promise<string[]> {
  const { rows } = await pool.query<{ owner: string }>(
    `SELECT owner FROM test_claim_takes WHERE claim_key = $1 ORDER BY at`,
    [turnKey(user.userId, '')],
  );
  return rows.map((row) => row.owner);
}

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

/** Waits until the instance's last heartbeat read exactly `count` live instances. */
async function seesLive(service: ServiceProcess, count: number, timeoutMs = 20_000): Promise<void> {
  await expectEventually(async () => expect(await metric(service, 'realtime_processor_live_instances')).toBe(count), {
    timeoutMs,
    intervalMs: 50,
  });
}

/** A new user whose turns `owner` owns among `instances`. */
async function userOwnedBy(pool: Pool, owner: string, instances: string[]): Promise<SeededUser> {
  for (let tries = 0; tries < 200; tries += 1) {
    const user = await seedUser(pool);
    if (rendezvousOwner(turnKey(user.userId, ''), instances) === owner) return user;
  }
  throw new Error(`no user owned by ${owner} in 200 tries`);
}

/** The text's wait, created_at → processed_at, once it is done. */
async function answeredAfterMs(pool: Pool, messageId: string, timeoutMs: number): Promise<number> {
  return expectEventually(
    async () => {
      const { rows } = await pool.query<{ state: string; ms: number }>(
        `SELECT processing_state AS state, (extract(epoch FROM processed_at - created_at) * 1000)::float8 AS ms
         FROM messages WHERE id = $1`,
        [messageId],
      );
      expect(rows[0].state).toBe('done');
      return Number(rows[0].ms);
    },
    { timeoutMs, intervalMs: 50 },
  );
}

const start = (url: string, id: string, env: Record<string, string>) =>
  ServiceProcess.start({ DATABASE_URL: url, INSTANCE_ID: id, CLAIM_AFFINITY: 'true', ...env });

describe('claim affinity', () => {
  let db: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    await installClaimTakeLog(db.pool);
  });

  afterEach(async () => {
    for (const service of services.splice(0)) {
      service.child.kill('SIGCONT');
      await service.stop();
    }
    await db?.drop();
  });

  it('lets only the owner try: fresh wake-ups are left to it, and every text is answered', async () => {
    // No timer sweep and no grace in reach: only notifications wake the instances during the load.
    // A heartbeat slow enough that a loaded machine does not age an instance's own view past the
    // liveness window (it would then try everything, which is safe but not what this test looks at).
    const env = { SWEEP_INTERVAL_MS: '600000', CLAIM_AFFINITY_GRACE_MS: '600000', INSTANCE_HEARTBEAT_MS: '1000' };
    const ids = ['owner-a', 'owner-b', 'owner-c'];
    for (const id of ids) services.push(await start(db.url, id, env));
    await Promise.all(services.map((service) => service.waitUntilHealthy(60_000)));
    await Promise.all(services.map((service) => seesLive(service, 3)));

    const users: SeededUser[] = [];
    for (let i = 0; i < 30; i += 1) users.push(await seedUser(db.pool));
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(users.map((user) => insertInbound(db.pool, user, [`round ${round} a`, `round ${round} b`])));
    }
    await expectEventually(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
        );
        expect(rows[0].n).toBe(0);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    for (const user of users) {
      const owner = rendezvousOwner(turnKey(user.userId, ''), ids);
      const takes = await takesOf(db.pool, user);
      expect(takes.length).toBeGreaterThan(0);
      expect({ user: user.userId, takes: [...new Set(takes)] }).toEqual({ user: user.userId, takes: [owner] });
    }
    // The others heard every text too, and left it.
    const left = await Promise.all(services.map((s) => metric(s, 'realtime_processor_wake_ups_left_to_owner_total')));
    expect(left.every((count) => count > 0)).toBe(true);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND attempts <> 1`,
    );
    expect(rows[0].n).toBe(0);
  }, 120_000);

  it("answers a stalled owner's text from another instance's sweep once it has been due for the grace", async () => {
    // A heartbeat far longer than the test: membership does not change, only the grace can help.
    const env = { SWEEP_INTERVAL_MS: '300', CLAIM_AFFINITY_GRACE_MS: '2000', INSTANCE_HEARTBEAT_MS: '60000' };
    const owner = await start(db.url, 'stalled-owner', env);
    services.push(owner);
    await owner.waitUntilHealthy(60_000);
    await seesLive(owner, 1);
    const other = await start(db.url, 'other', env);
    services.push(other);
    await other.waitUntilHealthy(60_000);
    await seesLive(other, 2);

    const ids = ['other', 'stalled-owner'];
    const ownUser = await userOwnedBy(db.pool, 'other', ids);
    const strandedUser = await userOwnedBy(db.pool, 'stalled-owner', ids);
    owner.child.kill('SIGSTOP');

    const [own] = await insertInbound(db.pool, ownUser, ['hello']);
    const [stranded] = await insertInbound(db.pool, strandedUser, ['hello']);
    // Its own user's text at once (from the notification), the stalled owner's only after the grace.
    expect(await answeredAfterMs(db.pool, own, 10_000)).toBeLessThan(2000);
    const waited = await answeredAfterMs(db.pool, stranded, 20_000);
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(waited).toBeLessThan(2000 + 300 + 5000);
    const takes = await takesOf(db.pool, strandedUser);
    expect(takes.length).toBeGreaterThan(0);
    expect([...new Set(takes)]).toEqual(['other']);
  }, 90_000);

  it('re-routes within a heartbeat when an instance dies, and routes to one that joins', async () => {
    // Neither the grace nor the timer sweep comes into reach: only membership changes can re-route.
    const env = { SWEEP_INTERVAL_MS: '600000', CLAIM_AFFINITY_GRACE_MS: '600000', INSTANCE_HEARTBEAT_MS: '500' };
    for (const id of ['node-a', 'node-b', 'node-c']) services.push(await start(db.url, id, env));
    await Promise.all(services.map((service) => service.waitUntilHealthy(60_000)));
    await Promise.all(services.map((service) => seesLive(service, 3)));
    const [a, b, c] = services;

    // Texts for A's users arrive the moment A dies: B and C still count A alive and leave them.
    const orphans = [
      await userOwnedBy(db.pool, 'node-a', ['node-a', 'node-b', 'node-c']),
      await userOwnedBy(db.pool, 'node-a', ['node-a', 'node-b', 'node-c']),
    ];
    a.child.kill('SIGKILL');
    await a.exited;
    const orphanTexts = await Promise.all(orphans.map(async (user) => (await insertInbound(db.pool, user, ['hi']))[0]));
    for (const id of orphanTexts) expect(await answeredAfterMs(db.pool, id, 15_000)).toBeLessThan(10_000);
    for (const user of orphans) {
      const heir = rendezvousOwner(turnKey(user.userId, ''), ['node-b', 'node-c']);
      const takes = await takesOf(db.pool, user);
      expect(takes.length).toBeGreaterThan(0);
      expect([...new Set(takes)]).toEqual([heir]);
    }
    await Promise.all([seesLive(b, 2), seesLive(c, 2)]);

    // A newcomer owns its share at once: the others see it within a heartbeat and leave its users' texts.
    const d = await start(db.url, 'node-d', env);
    services.push(d);
    await d.waitUntilHealthy(60_000);
    await Promise.all([seesLive(b, 3), seesLive(c, 3), seesLive(d, 3)]);
    const newcomers = await userOwnedBy(db.pool, 'node-d', ['node-b', 'node-c', 'node-d']);
    const [text] = await insertInbound(db.pool, newcomers, ['hello']);
    expect(await answeredAfterMs(db.pool, text, 10_000)).toBeLessThan(5000);
    const takes = await takesOf(db.pool, newcomers);
    expect(takes.length).toBeGreaterThan(0);
    expect([...new Set(takes)]).toEqual(['node-d']);
  }, 120_000);
});
