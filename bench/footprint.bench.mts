import pg from 'pg';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { round } from './lib/stats.mts';

export const BACKLOG_MESSAGES = 10_000;
const BACKLOG_USERS = 1_000;

export interface FootprintResult {
  /** Process start → /health shows both subscriptions connected (ms), on an already migrated database. */
  startToConnectedMs: number;
  rssIdleMb: number;
  /** Peak resident memory while a backlog waiting at start-up is worked off. */
  rssBacklogPeakMb: number;
  backlogMessages: number;
  backlogDrainSeconds: number;
}

/** Start-up time and memory, idle and under a backlog that was written while the service was down. */
export async function benchFootprint(serverUrl: string, env: Record<string, string>): Promise<FootprintResult> {
  const url = await createDatabase(serverUrl, 'bench_footprint', true);
  const pool = new pg.Pool({ connectionString: url, max: 4 });

  const idle = await BenchService.start({ DATABASE_URL: url, ...env });
  const startToConnectedMs = await idle.waitConnected();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssIdleMb = await idle.rssMb();
  await idle.stop();

  await pool.query(
    `WITH u AS (
       INSERT INTO users (phone_number) SELECT '+1777' || lpad(g::text, 7, '0') FROM generate_series(1, $1) g RETURNING id, phone_number),
     c AS (INSERT INTO conversations (user_id, phone_number) SELECT id, phone_number FROM u RETURNING id, user_id)
     INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
     SELECT c.id, c.user_id, 'user', 'backlog text ' || n, 'inbound', 'delivered', clock_timestamp()
     FROM c CROSS JOIN generate_series(1, $2) n`,
    [BACKLOG_USERS, BACKLOG_MESSAGES / BACKLOG_USERS],
  );
  const busy = await BenchService.start({ DATABASE_URL: url, ...env });
  const started = performance.now();
  let peak = 0;
  for (;;) {
    peak = Math.max(peak, await busy.rssMb().catch(() => 0));
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
    );
    if (rows[0].n === 0) break;
    if (performance.now() - started > 300_000) throw new Error('backlog did not drain in 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const backlogDrainSeconds = round((performance.now() - started) / 1000);
  await busy.stop();
  await pool.end();
  return {
    startToConnectedMs: round(startToConnectedMs),
    rssIdleMb,
    rssBacklogPeakMb: peak,
    backlogMessages: BACKLOG_MESSAGES,
    backlogDrainSeconds,
  };
}
