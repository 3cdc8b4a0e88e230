/**
 * The engine's profile: which statements one turn sends to PostgreSQL, how many, and how long each
 * takes from send to result. One service instance on the local model (no network: the engine
 * alone), with bench/lib/query-profile.js preloaded; `TURNS` texts from distinct users, one at a
 * time, after a warm-up. Counts are per turn; statements that ran fewer times than there were turns
 * (start-up, sweeps, health probes) are listed as background.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { round } from './lib/stats.mts';

const TURNS = 200;
const WARM_UP = 20;

export interface StatementProfile {
  statement: string;
  perTurn: number;
  meanMs: number;
}

export interface EngineProfileResult {
  turns: number;
  /** Statements sent per turn (BEGIN and COMMIT included): each is one round trip to PostgreSQL. */
  roundTripsPerTurn: number;
  /** Time per turn spent waiting for PostgreSQL (sum over its statements, ms). */
  databaseMsPerTurn: number;
  /** Transactions per turn (BEGIN count). */
  transactionsPerTurn: number;
  statements: StatementProfile[];
  /** The same run with DB_PREPARED_STATEMENTS=true (named statements). */
  prepared?: EngineProfileResult;
  /** `databaseMsPerTurn` of a second run of the same kind (the bench runs them A B B A). */
  repeatDatabaseMsPerTurn?: number;
}

export async function benchEngineProfile(
  serverUrl: string,
  env: Record<string, string>,
  name = 'engine_profile',
): Promise<EngineProfileResult> {
  const url = await createDatabase(serverUrl, `bench_${name}`, true);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
  pool.on('error', () => undefined);
  const file = join(mkdtempSync(join(tmpdir(), 'rp-profile-')), 'profile.json');
  const service = await BenchService.start({ ...env, DATABASE_URL: url }, file);
  await service.waitConnected();
  const { rows: users } = await pool.query<{ user_id: string; id: string }>(
    `WITH u AS (
       INSERT INTO users (phone_number, verified, poc_agent_type)
       SELECT '+1666' || lpad(g::text, 7, '0'), false, 'bouncer' FROM generate_series(1, $1) g RETURNING id, phone_number)
     INSERT INTO conversations (user_id, phone_number) SELECT id, phone_number FROM u RETURNING user_id, id`,
    [TURNS + WARM_UP],
  );
  const answer = async (user: { user_id: string; id: string }) => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
       VALUES ($1, $2, 'user', 'hello', 'inbound', 'delivered') RETURNING id`,
      [user.id, user.user_id],
    );
    for (let polls = 0; ; polls += 1) {
      const done = await pool.query(`SELECT 1 FROM messages WHERE id = $1 AND processing_state = 'done'`, [rows[0].id]);
      if (done.rowCount) return;
      if (polls > 2000) throw new Error('engine profile: a turn did not finish');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  for (const user of users.slice(0, WARM_UP)) await answer(user);
  // The warm-up's statements are in the tally too: the counts below are divided by all turns.
  for (const user of users.slice(WARM_UP)) await answer(user);
  await service.stop();
  await pool.end();

  const total = TURNS + WARM_UP;
  const tally = JSON.parse(readFileSync(file, 'utf8')) as Array<{ statement: string; calls: number; totalMs: number }>;
  const perTurn = tally.filter((entry) => entry.calls >= total);
  const statements = perTurn
    .map((entry) => ({
      statement: entry.statement,
      perTurn: round(entry.calls / total, 2),
      meanMs: round(entry.totalMs / entry.calls, 3),
    }))
    .sort((a, b) => b.perTurn * b.meanMs - a.perTurn * a.meanMs);
  const sum = (pick: (entry: (typeof perTurn)[number]) => number) =>
    perTurn.reduce((acc, entry) => acc + pick(entry), 0) / total;
  return {
    turns: total,
    roundTripsPerTurn: round(
      sum((entry) => entry.calls),
      1,
    ),
    databaseMsPerTurn: round(
      sum((entry) => entry.totalMs),
      2,
    ),
    transactionsPerTurn: round(
      tally.filter((entry) => entry.statement.startsWith('BEGIN')).reduce((sum, entry) => sum + entry.calls, 0) / total,
      2,
    ),
    statements,
  };
}

// `node bench/engine-profile.bench.mts` runs it alone (after `npm run build`) and prints JSON.
if (process.argv[1] === import.meta.filename) {
  const { startPostgres } = await import('./lib/postgres.mts');
  const postgres = await startPostgres();
  try {
    const result = await benchEngineProfile(postgres.serverUrl, { REALTIME_SOURCE: 'postgres' });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await postgres.stop();
  }
}
