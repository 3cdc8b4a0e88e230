import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { round } from './lib/stats.mts';

/** Texts (or jobs) waiting when the process starts: memory is measured at each, so "flat" is a curve. */
export const BACKLOGS = [1_000, 10_000, 100_000];
const TEXTS_PER_USER = 10;

export interface BacklogPoint {
  waiting: number;
  /** Peak resident memory while the backlog is worked off (MB). */
  rssPeakMb: number;
  drainSeconds: number;
}

export interface ProcessFootprint {
  name: string;
  /** Process start → ready (ms): the service's /health shows both subscriptions connected; graphile-worker's runner started. */
  startToReadyMs: number;
  rssIdleMb: number;
  backlogs: BacklogPoint[];
  /** --max-old-space-size the process ran with (MB), when capped. */
  heapCapMb?: number;
}

/** What the image's entrypoint gives V8 in a 512 MiB container (half the limit), as Cloud Run is deployed. */
export const CONTAINER_HEAP_CAP_MB = 256;

export interface FootprintResult {
  service: ProcessFootprint;
  /** The same service with the heap capped as the image caps it in a 512 MiB container (absent in older results). */
  serviceHeapCapped?: ProcessFootprint;
  /** graphile-worker in a process of its own, with a no-op task and the same concurrency. */
  reference: ProcessFootprint;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Samples the process's memory every 100 ms until `left()` is 0; returns the peak and the time taken. */
async function drain(pid: number, left: () => Promise<number>): Promise<{ rssPeakMb: number; drainSeconds: number }> {
  const started = performance.now();
  let peak = 0;
  for (;;) {
    peak = Math.max(peak, await rssMb(pid).catch(() => 0));
    if ((await left()) === 0) break;
    if (performance.now() - started > 600_000) throw new Error('backlog did not drain in 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { rssPeakMb: peak, drainSeconds: round((performance.now() - started) / 1000) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));

interface ServiceVariant {
  name: string;
  database: string;
  /** Runs the service with NODE_OPTIONS=--max-old-space-size=<this>. */
  heapCapMb?: number;
}

/**
 * The service's footprint in each variant, interleaved: every backlog size is worked off by each
 * variant in turn (each on its own database), so a slow stretch of the shared machine is not
 * charged to one variant.
 */
async function serviceFootprints(
  serverUrl: string,
  baseEnv: Record<string, string>,
  variants: ServiceVariant[],
): Promise<ProcessFootprint[]> {
  const runs = [];
  for (const variant of variants) {
    const env =
      variant.heapCapMb === undefined
        ? baseEnv
        : { ...baseEnv, NODE_OPTIONS: `--max-old-space-size=${variant.heapCapMb}` };
    const url = await createDatabase(serverUrl, variant.database, true);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
    pool.on('error', () => undefined);
    const idle = await BenchService.start({ DATABASE_URL: url, ...env });
    const startToReadyMs = await idle.waitConnected();
    await settle();
    const rssIdleMb = await idle.rssMb();
    await idle.stop();
    runs.push({ variant, env, url, pool, startToReadyMs, rssIdleMb, backlogs: [] as BacklogPoint[] });
  }
  for (const [index, waiting] of BACKLOGS.entries()) {
    for (const run of runs) {
      // Written while the service is down: users × 10 texts each.
      await run.pool.query(
        `WITH u AS (
           INSERT INTO users (phone_number) SELECT '+17' || $3 || lpad(g::text, 7, '0') FROM generate_series(1, $1) g RETURNING id, phone_number),
         c AS (INSERT INTO conversations (user_id, phone_number) SELECT id, phone_number FROM u RETURNING id, user_id)
         INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
         SELECT c.id, c.user_id, 'user', 'backlog text ' || n, 'inbound', 'delivered', clock_timestamp()
         FROM c CROSS JOIN generate_series(1, $2) n`,
        [waiting / TEXTS_PER_USER, TEXTS_PER_USER, index],
      );
      const busy = await BenchService.start({ DATABASE_URL: run.url, ...run.env });
      const point = await drain(busy.child.pid!, async () => {
        const { rows } = await run.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
        );
        return rows[0].n;
      });
      await busy.stop();
      run.backlogs.push({ waiting, ...point });
    }
  }
  await Promise.all(runs.map((run) => run.pool.end()));
  return runs.map(({ variant, startToReadyMs, rssIdleMb, backlogs }) => ({
    name: variant.name,
    startToReadyMs: round(startToReadyMs),
    rssIdleMb,
    backlogs,
    ...(variant.heapCapMb !== undefined ? { heapCapMb: variant.heapCapMb } : {}),
  }));
}

/** graphile-worker started as its own process; resolves once it printed "ready". */
async function startWorker(url: string, concurrency: number): Promise<{ child: ChildProcess; readyMs: number }> {
  const startedAt = performance.now();
  const child = spawn(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'lib', 'graphile-worker.process.mts')],
    {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, CONCURRENCY: String(concurrency) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout) {
    output += String(chunk);
    if (output.includes('ready')) break;
  }
  return { child, readyMs: performance.now() - startedAt };
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function referenceFootprint(serverUrl: string, concurrency: number): Promise<ProcessFootprint> {
  const url = await createDatabase(serverUrl, 'bench_footprint_graphile', false);
  await runMigrations({ connectionString: url, logger: undefined });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
  pool.on('error', () => undefined);
  const idle = await startWorker(url, concurrency);
  await settle();
  const rssIdleMb = await rssMb(idle.child.pid!);
  await stopWorker(idle.child);

  const backlogs: BacklogPoint[] = [];
  for (const waiting of BACKLOGS) {
    await pool.query(
      `SELECT graphile_worker.add_job('noop', json_build_object('n', g)) FROM generate_series(1, $1) g`,
      [waiting],
    );
    const busy = await startWorker(url, concurrency);
    const point = await drain(busy.child.pid!, async () => {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`);
      return rows[0].n;
    });
    await stopWorker(busy.child);
    backlogs.push({ waiting, ...point });
  }
  await pool.end();
  return { name: 'graphile-worker', startToReadyMs: round(idle.readyMs), rssIdleMb, backlogs };
}

/** Start-up time and memory, idle and under backlogs written while the process was down, with the reference. */
export async function benchFootprint(
  serverUrl: string,
  env: Record<string, string>,
  concurrency: number,
): Promise<FootprintResult> {
  const [service, serviceHeapCapped] = await serviceFootprints(serverUrl, env, [
    { name: 'realtime-processor', database: 'bench_footprint' },
    {
      name: `realtime-processor, heap capped at ${CONTAINER_HEAP_CAP_MB} MB`,
      database: 'bench_footprint_capped',
      heapCapMb: CONTAINER_HEAP_CAP_MB,
    },
  ]);
  const reference = await referenceFootprint(serverUrl, concurrency);
  return { service, serviceHeapCapped, reference };
}

// `node bench/footprint.bench.mts` runs it alone (after `npm run build`) and prints JSON.
if (process.argv[1] === import.meta.filename) {
  const { startPostgres } = await import('./lib/postgres.mts');
  const postgres = await startPostgres();
  try {
    const result = await benchFootprint(postgres.serverUrl, { REALTIME_SOURCE: 'postgres', MAX_CONCURRENCY: '8' }, 8);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await postgres.stop();
  }
}
