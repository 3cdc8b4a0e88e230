/**
 * graphile-worker as a process of its own, for the footprint reference: a no-op task, the given
 * concurrency, prints "ready" once the runner is started (listening, migrated), stops on SIGTERM.
 */
import { Logger, run } from 'graphile-worker';

const runner = await run({
  connectionString: process.env.DATABASE_URL,
  concurrency: Number(process.env.CONCURRENCY ?? 8),
  noHandleSignals: true,
  pollInterval: 2000,
  logger: new Logger(() => () => undefined),
  taskList: { noop: () => Promise.resolve() },
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner.stop().then(() => process.exit(0));
});
