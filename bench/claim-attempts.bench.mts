import pg from 'pg';
import { seedUsers } from './engine.bench.mts';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { percentiles, round } from './lib/stats.mts';
import { burstPlan, drive } from './lib/workload.mts';

/** A smaller burst load than the throughput section's: ten instances share two cores. */
export const CLAIM_USERS = 100;
export const CLAIM_TEXTS_PER_USER = 10;

export interface ClaimAttemptsRun {
  instances: number;
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

export interface ClaimAttemptsResult {
  users: number;
  textsPerUser: number;
  runs: ClaimAttemptsRun[];
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

async function run(
  serverUrl: string,
  instances: number,
  env: Record<string, string>,
  label: string,
): Promise<ClaimAttemptsRun> {
  const url = await createDatabase(serverUrl, `bench_claims_${label}_${instances}`, true);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined);
  await installClaimCounters(pool);
  const users = await seedUsers(pool, CLAIM_USERS, `7${instances % 10}`);
  const services = await Promise.all(
    Array.from({ length: instances }, (_, i) =>
      BenchService.start({ DATABASE_URL: url, INSTANCE_ID: `bench-claims-${i}`, ...env }),
    ),
  );
  await Promise.all(services.map((service) => service.waitConnected(60_000)));
  const plan = burstPlan(CLAIM_USERS, CLAIM_TEXTS_PER_USER);
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
  });
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
  await Promise.all(services.map((service) => service.stop()));
  const { rows } = await pool.query<{ attempts: number; won: number; turns: number; texts: number }>(
    `SELECT (SELECT count(*) FROM bench_claim_takes WHERE NOT won)::int AS attempts,
            (SELECT count(*) FROM bench_claim_takes WHERE won)::int AS won,
            (SELECT count(DISTINCT reply_to_message_id) FROM messages WHERE direction = 'outbound')::int AS turns,
            (SELECT count(*) FROM messages WHERE direction = 'inbound')::int AS texts`,
  );
  const { rows: answered } = await pool.query<{ ms: number }>(
    `SELECT (extract(epoch FROM processed_at - created_at) * 1000)::float8 AS ms FROM messages WHERE direction = 'inbound'`,
  );
  await pool.end();
  const { attempts, won, turns, texts } = rows[0];
  return {
    instances,
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
}

export async function benchClaimAttempts(serverUrl: string, env: Record<string, string>): Promise<ClaimAttemptsResult> {
  const runs: ClaimAttemptsRun[] = [];
  for (const instances of [1, 3, 10]) runs.push(await run(serverUrl, instances, env, 'now'));
  return { users: CLAIM_USERS, textsPerUser: CLAIM_TEXTS_PER_USER, runs };
}
