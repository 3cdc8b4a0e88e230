import { Logger, run } from 'graphile-worker';
import pg from 'pg';
import { createDatabase } from './lib/postgres.mts';
import { percentiles, round } from './lib/stats.mts';
import { burstPlan, drive, LOAD_MESSAGES_PER_USER, LOAD_USERS } from './lib/workload.mts';

export interface ReferenceResult {
  name: string;
  /** Jobs added with `job_key` = the user (mode replace): texts waiting for one user fold into one job. */
  debounced: boolean;
  concurrency: number;
  /** Job committed → job completed (its deletion committed), one job at a time (ms). */
  idleLatencyMs: ReturnType<typeof percentiles>;
  /** Job committed → task started, one job at a time (ms): the figure graphile-worker publishes. */
  idleStartMs: ReturnType<typeof percentiles>;
  /** Burst committed → the job covering its first text completed (ms). */
  loadLatencyMs: ReturnType<typeof percentiles>;
  texts: number;
  /** Jobs completed under the load. */
  jobs: number;
  textsPerSecond: number;
  jobsPerSecond: number;
}

const silent = new Logger(() => () => undefined);
const IDLE_USER = -1;

/**
 * The reference: graphile-worker (LISTEN/NOTIFY + SKIP LOCKED, the best-known Node.js Postgres
 * queue) running a no-op task, same machine, same PostgreSQL, same concurrency as one instance,
 * fed the same bursts as the service: one `add_job` per text inside the burst's transaction. With
 * `debounced`, each job has `job_key` = its user (graphile-worker's own way of coalescing: a
 * waiting job is replaced by the newer one). Completion is read at commit: a bench trigger on the
 * jobs table NOTIFYs when a job row is deleted, which graphile-worker does when a job succeeds.
 */
export async function benchGraphileWorker(
  serverUrl: string,
  samples: number,
  concurrency: number,
  debounced: boolean,
): Promise<ReferenceResult> {
  const connectionString = await createDatabase(serverUrl, `bench_graphile_worker${debounced ? '_keyed' : ''}`, false);
  const started = new Map<string, number>();
  const runner = await run({
    connectionString,
    concurrency,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: silent,
    taskList: {
      noop: (payload) => {
        const { u, s } = payload as { u: number; s: number };
        started.set(`${u}:${s}`, performance.now());
        return Promise.resolve();
      },
    },
  });
  const pool = new pg.Pool({ connectionString, max: 10 });
  // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
  pool.on('error', () => undefined);
  await pool.query(`
    CREATE OR REPLACE FUNCTION bench_job_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_job_done', OLD.payload::text); RETURN NULL; END $$;
    CREATE TRIGGER bench_job_done AFTER DELETE ON graphile_worker._private_jobs
      FOR EACH ROW EXECUTE FUNCTION bench_job_done();`);
  const listener = new pg.Client({ connectionString });
  await listener.connect();
  /** Completions per user, in arrival order: [the job's last text index, when]. */
  const completions = new Map<number, Array<[number, number]>>();
  const waiters = new Map<string, () => void>();
  let completed = 0;
  listener.on('notification', ({ payload }) => {
    const { u, s } = JSON.parse(payload ?? '{}') as { u: number; s: number };
    const at = performance.now();
    completed += 1;
    completions.set(u, [...(completions.get(u) ?? []), [s, at]]);
    waiters.get(`${u}:${s}`)?.();
  });
  await listener.query('LISTEN bench_job_done');
  const addJob = (client: pg.PoolClient | pg.Pool, u: number, s: number) =>
    client.query(`SELECT graphile_worker.add_job('noop', $1::json, job_key => $2)`, [
      JSON.stringify({ u, s }),
      debounced ? `user:${u}` : null,
    ]);

  // 1. One job at a time.
  const idle: number[] = [];
  const idleStart: number[] = [];
  for (let s = 0; s < samples; s += 1) {
    const done = new Promise<void>((resolve) => waiters.set(`${IDLE_USER}:${s}`, resolve));
    await addJob(pool, IDLE_USER, s);
    const committedAt = performance.now();
    await done;
    const [, at] = completions.get(IDLE_USER)!.at(-1)!;
    idle.push(Math.max(0, at - committedAt));
    idleStart.push(Math.max(0, (started.get(`${IDLE_USER}:${s}`) ?? NaN) - committedAt));
  }

  // 2. The bursts.
  const plan = burstPlan();
  const texts = LOAD_USERS * LOAD_MESSAGES_PER_USER;
  const before = completed;
  const lastText = LOAD_MESSAGES_PER_USER - 1;
  const allDone = new Promise<void>((resolve) => {
    let users = LOAD_USERS;
    for (let u = 0; u < LOAD_USERS; u += 1)
      waiters.set(`${u}:${lastText}`, () => (--users === 0 ? resolve() : undefined));
  });
  const committed: Array<{ user: number; first: number; at: number }> = [];
  const t0 = performance.now();
  await drive(plan, async ({ user, first, size }) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (let k = 0; k < size; k += 1) await addJob(client, user, first + k);
      await client.query('COMMIT');
      committed.push({ user, first, at: performance.now() });
    } finally {
      client.release();
    }
  });
  await allDone;
  // Without a key every text is a job: wait for all of them, not only each user's last.
  for (const deadline = Date.now() + 60_000; !debounced && completed - before < texts;) {
    if (Date.now() > deadline) throw new Error('graphile-worker: jobs did not complete in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const finished = Math.max(
    ...[...completions.entries()].filter(([u]) => u !== IDLE_USER).flatMap(([, list]) => list.map(([, at]) => at)),
  );
  const load = committed.map(({ user, first, at }) => {
    // A keyed job carries the newest text it folded in; an unkeyed job is exactly one text.
    const covers = (s: number) => (debounced ? s >= first : s === first);
    const covering = (completions.get(user) ?? []).filter(([s]) => covers(s)).map(([, doneAt]) => doneAt);
    return Math.min(...covering) - at;
  });
  await listener.end();
  await pool.end();
  await runner.stop();
  const seconds = (finished - t0) / 1000;
  const jobs = completed - before;
  return {
    name: debounced ? 'graphile-worker, job_key per user' : 'graphile-worker',
    debounced,
    concurrency,
    idleLatencyMs: percentiles(idle),
    idleStartMs: percentiles(idleStart),
    loadLatencyMs: percentiles(load.filter(Number.isFinite)),
    texts,
    jobs,
    textsPerSecond: round(texts / seconds),
    jobsPerSecond: round(jobs / seconds),
  };
}
