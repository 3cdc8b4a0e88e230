import { createRequire } from 'node:module';
import pg from 'pg';
import { seedUsers } from './engine.bench.mts';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { percentiles, round } from './lib/stats.mts';
import { burstPlan, drive } from './lib/workload.mts';

/** The service's own defaults (the built configuration class), for the settings the report names. */
const { Environment } = createRequire(import.meta.url)('../dist/config/environment.js') as {
  Environment: new () => Record<string, number | boolean>;
};

/** A smaller burst load than the throughput section's: ten instances share two cores. */
export const CLAIM_USERS = 100;
export const CLAIM_TEXTS_PER_USER = 10;
/** The instance counts compared, each with claim affinity off (every instance tries) and on. */
export const CLAIM_INSTANCE_COUNTS = [1, 3, 10];
/** The failover runs: this many instances, one killed with SIGKILL once this share of the bursts is in. */
export const FAILOVER_INSTANCES = 3;
export const FAILOVER_KILL_AT = 0.5;

export type AffinityMode = 'off' | 'on';

export interface ClaimAttemptsRun {
  instances: number;
  /** CLAIM_AFFINITY of every instance; absent in results written before affinity existed (off). */
  affinity?: AffinityMode;
  texts: number;
  /** Turns that committed (reply groups). */
  turns: number;
  /** Claim statements sent for users' turns (every take of `processing_claims`, won or not). */
  attempts: number;
  /** Attempts that found the claim held by another worker. */
  busy: number;
  /** Attempts that took the claim but found nothing to do (another worker had answered). */
  empty: number;
  attemptsPerText: number;
  wastedPerText: number;
  seconds: number;
  /** Each text's created_at → its turn's commit (processed_at), ms: a text left to the catch-up sweep shows here. */
  answeredMs?: ReturnType<typeof percentiles>;
}

export interface FailoverRun extends ClaimAttemptsRun {
  /** Inbound texts answered (done) at the end, of `texts`. */
  answered: number;
  /** Texts of users whose claim the killed instance held when it died: they wait for its lease to expire. */
  heldByKilled: number;
  /** Worst created_at → processed_at of the texts held under the killed instance's lease, ms. */
  worstHeldMs: number | null;
  /** Worst created_at → processed_at of every other text (affinity's failover path), ms. */
  worstOtherMs: number;
  leaseMs: number;
  /** 'user': `heldByKilled` counts every text of a user whose claim it held; absent: only the texts under that claim. */
  heldScope?: 'user';
}

export interface ClaimAttemptsResult {
  users: number;
  textsPerUser: number;
  runs: ClaimAttemptsRun[];
  failover?: FailoverRun[];
  /** The affinity settings of the `on` runs (the defaults). */
  settings?: { heartbeatMs: number; graceMs: number; sweepIntervalMs: number; defaultAffinity?: boolean };
}

/**
 * Bench instrumentation on `processing_claims`: a BEFORE INSERT trigger sees every take (it fires
 * before the conflict check, so a take refused because the claim is held counts too), an AFTER
 * trigger every take that won (a new token). Event claims are left out.
 */
async function installClaimCounters(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE UNLOGGED TABLE bench_claim_takes (claim_key text NOT NULL, won boolean NOT NULL);
    CREATE FUNCTION bench_claim_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.claim_key NOT LIKE 'event:%' THEN INSERT INTO bench_claim_takes VALUES (NEW.claim_key, false); END IF;
      RETURN NEW;
    END $$;
    CREATE FUNCTION bench_claim_won() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.claim_key NOT LIKE 'event:%' THEN INSERT INTO bench_claim_takes VALUES (NEW.claim_key, true); END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER bench_claim_attempt BEFORE INSERT ON processing_claims FOR EACH ROW EXECUTE FUNCTION bench_claim_attempt();
    CREATE TRIGGER bench_claim_won_insert AFTER INSERT ON processing_claims FOR EACH ROW EXECUTE FUNCTION bench_claim_won();
    CREATE TRIGGER bench_claim_won_update AFTER UPDATE ON processing_claims FOR EACH ROW
      WHEN (OLD.token IS DISTINCT FROM NEW.token) EXECUTE FUNCTION bench_claim_won();`);
}

/** With affinity on, the load starts once every instance has read every other from its heartbeats. */
async function waitForMembership(services: BenchService[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of services) {
    for (;;) {
      const text = await fetch(`http://127.0.0.1:${service.port}/metrics`).then((r) => r.text());
      const live = Number(/^realtime_processor_live_instances (\d+)/m.exec(text)?.[1] ?? 0);
      if (live === services.length) break;
      if (Date.now() > deadline) throw new Error(`an instance sees ${live} of ${services.length} live instances`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

interface RunOptions {
  instances: number;
  affinity: AffinityMode;
  env: Record<string, string>;
  /** Failover: SIGKILL the first instance once this share of the bursts has committed. */
  killAt?: number;
}

async function run(serverUrl: string, options: RunOptions): Promise<ClaimAttemptsRun | FailoverRun> {
  const { instances, affinity, env, killAt } = options;
  const label = `${killAt === undefined ? '' : 'failover_'}${affinity}_${instances}`;
  const url = await createDatabase(serverUrl, `bench_claims_${label}`, true);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined);
  await installClaimCounters(pool);
  const users = await seedUsers(pool, CLAIM_USERS, `7${instances % 10}`);
  const services = await Promise.all(
    Array.from({ length: instances }, (_, i) =>
      BenchService.start({
        DATABASE_URL: url,
        INSTANCE_ID: `bench-claims-${i}`,
        CLAIM_AFFINITY: String(affinity === 'on'),
        ...env,
      }),
    ),
  );
  await Promise.all(services.map((service) => service.waitConnected(180_000)));
  if (affinity === 'on') await waitForMembership(services);
  const plan = burstPlan(CLAIM_USERS, CLAIM_TEXTS_PER_USER);
  const killAfter = killAt === undefined ? Number.POSITIVE_INFINITY : Math.floor(plan.length * killAt);
  const victim = services[0];
  let committed = 0;
  let killed: Promise<unknown> | undefined;
  const started = performance.now();
  await drive(plan, async ({ user, size }) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (let k = 0; k < size; k += 1) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
           VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', clock_timestamp())`,
          [users[user].conversationId, users[user].userId, `text ${k}`],
        );
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    committed += 1;
    if (committed === killAfter) {
      killed = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
    }
  });
  // The texts the killed instance held under a claim: they wait for its lease, whatever the affinity.
  let held: string[] = [];
  if (killed) {
    await killed;
    // Every text of a user whose claim it held waits for the lease: the claim is the user's, not the text's.
    const { rows } = await pool.query<{ id: string }>(
      `SELECT m.id FROM messages m JOIN processing_claims c ON c.claim_key = 'user:' || m.user_id
       WHERE m.direction = 'inbound' AND c.owner = $1 AND c.lease_expires_at > now()`,
      ['bench-claims-0'],
    );
    held = rows.map((row) => row.id);
  }
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
    );
    if (rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error('claim-attempts load did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  // Stop first: a claim attempt after the last reply (a late wake-up) counts too.
  await Promise.all(services.filter((service) => !killed || service !== victim).map((service) => service.stop()));
  const { rows } = await pool.query<{ attempts: number; won: number; turns: number; texts: number; done: number }>(
    `SELECT (SELECT count(*) FROM bench_claim_takes WHERE NOT won)::int AS attempts,
            (SELECT count(*) FROM bench_claim_takes WHERE won)::int AS won,
            (SELECT count(DISTINCT reply_to_message_id) FROM messages WHERE direction = 'outbound')::int AS turns,
            (SELECT count(*) FROM messages WHERE direction = 'inbound')::int AS texts,
            (SELECT count(*) FROM messages WHERE direction = 'inbound' AND processing_state = 'done')::int AS done`,
  );
  const { rows: answered } = await pool.query<{ id: string; ms: number }>(
    `SELECT id, (extract(epoch FROM processed_at - created_at) * 1000)::float8 AS ms FROM messages WHERE direction = 'inbound'`,
  );
  await pool.end();
  const { attempts, won, turns, texts, done } = rows[0];
  const result: ClaimAttemptsRun = {
    instances,
    affinity,
    texts,
    turns,
    attempts,
    busy: attempts - won,
    empty: won - turns,
    attemptsPerText: round(attempts / texts, 2),
    wastedPerText: round((attempts - turns) / texts, 2),
    seconds: round(seconds, 1),
    answeredMs: percentiles(answered.map((row) => Number(row.ms))),
  };
  if (!killed) return result;
  const heldSet = new Set(held);
  const worst = (rows: typeof answered) =>
    rows.length === 0 ? null : round(Math.max(...rows.map((row) => Number(row.ms))), 0);
  return {
    ...result,
    answered: done,
    heldByKilled: held.length,
    worstHeldMs: worst(answered.filter((row) => heldSet.has(row.id))),
    worstOtherMs: worst(answered.filter((row) => !heldSet.has(row.id))) ?? 0,
    heldScope: 'user',
    leaseMs: Number(env.CLAIM_LEASE_MS ?? new Environment().CLAIM_LEASE_MS),
  };
}

const progress = (what: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${what}...\n`);

function setting(env: Record<string, string>): NonNullable<ClaimAttemptsResult['settings']> {
  const defaults = new Environment();
  const value = (name: string) => Number(env[name] ?? defaults[name]);
  return {
    heartbeatMs: value('INSTANCE_HEARTBEAT_MS'),
    graceMs: value('CLAIM_AFFINITY_GRACE_MS'),
    sweepIntervalMs: value('SWEEP_INTERVAL_MS'),
    defaultAffinity: Boolean(defaults.CLAIM_AFFINITY),
  };
}

export async function benchClaimAttempts(serverUrl: string, env: Record<string, string>): Promise<ClaimAttemptsResult> {
  const runs: ClaimAttemptsRun[] = [];
  // Off, on, on, off at each size: a slow stretch of the shared machine is not charged to one mode.
  for (const instances of CLAIM_INSTANCE_COUNTS) {
    for (const affinity of ['off', 'on', 'on', 'off'] as const) {
      progress(`  ${instances} instance(s), affinity ${affinity}`);
      runs.push(await run(serverUrl, { instances, affinity, env }));
    }
  }
  const failover: FailoverRun[] = [];
  for (const affinity of ['off', 'on'] as const) {
    const killAt = FAILOVER_KILL_AT;
    progress(`  failover: ${FAILOVER_INSTANCES} instances, one killed, affinity ${affinity}`);
    failover.push((await run(serverUrl, { instances: FAILOVER_INSTANCES, affinity, env, killAt })) as FailoverRun);
  }
  return {
    users: CLAIM_USERS,
    textsPerUser: CLAIM_TEXTS_PER_USER,
    runs,
    failover,
    settings: setting(env),
  };
}
