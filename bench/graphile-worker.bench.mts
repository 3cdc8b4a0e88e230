import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { createDatabase } from './lib/postgres.mts';
import { percentiles, round } from './lib/stats.mts';

export interface ReferenceResult {
  name: string;
  concurrency: number;
  /** Job committed → task started, one job at a time (ms). */
  idleLatencyMs: ReturnType<typeof percentiles>;
  /** The same for a burst of jobs (ms). */
  loadLatencyMs: ReturnType<typeof percentiles>;
  jobs: number;
  jobsPerSecond: number;
}

const silent = new Logger(() => () => undefined);

/**
 * The reference: graphile-worker (LISTEN/NOTIFY + SKIP LOCKED, the best-known Node.js Postgres
 * queue) running a no-op task, same machine, same PostgreSQL, same concurrency as one instance.
 */
export async function benchGraphileWorker(
  serverUrl: string,
  jobs: number,
  samples: number,
  concurrency: number,
): Promise<ReferenceResult> {
  const connectionString = await createDatabase(serverUrl, 'bench_graphile_worker', false);
  const started = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  const runner = await run({
    connectionString,
    concurrency,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: silent,
    taskList: {
      noop: (payload) => {
        const { n } = payload as { n: number };
        started.set(n, performance.now());
        waiters.get(n)?.();
        return Promise.resolve();
      },
    },
  });
  const utils = await makeWorkerUtils({ connectionString, logger: silent });

  const idle: number[] = [];
  for (let n = 0; n < samples; n += 1) {
    const began = new Promise<void>((resolve) => waiters.set(n, resolve));
    await utils.addJob('noop', { n });
    const committedAt = performance.now();
    await began;
    idle.push(Math.max(0, started.get(n)! - committedAt));
  }

  const committed = new Map<number, number>();
  const queue = Array.from({ length: jobs }, (_, i) => samples + i);
  const allStarted = new Promise<void>((resolve) => {
    let left = jobs;
    for (const n of queue) waiters.set(n, () => (--left === 0 ? resolve() : undefined));
  });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        await utils.addJob('noop', { n });
        committed.set(n, performance.now());
      }
    }),
  );
  await allStarted;
  await runner.stop();
  await utils.release();
  const load = [...committed].map(([n, at]) => Math.max(0, started.get(n)! - at));
  const seconds = (Math.max(...started.values()) - t0) / 1000;
  return {
    name: 'graphile-worker',
    concurrency,
    idleLatencyMs: percentiles(idle),
    loadLatencyMs: percentiles(load),
    jobs,
    jobsPerSecond: round(jobs / seconds),
  };
}
