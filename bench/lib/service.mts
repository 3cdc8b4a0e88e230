import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
const PROFILER = join(import.meta.dirname, 'query-profile.js');
const POOL_PROFILER = join(import.meta.dirname, 'pool-profile.js');

/** Services still running, stopped with the benchmark however it ends. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The built service as a child process, quiet, for benchmarks. */
export class BenchService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startedAt: number;

  private constructor(child: ChildProcess, port: number, startedAt: number) {
    this.child = child;
    this.port = port;
    this.startedAt = startedAt;
  }

  /**
   * `profileFile`: preload bench/lib/query-profile.js, which writes the statements sent to that file
   * on exit. `poolProfileFile`: preload bench/lib/pool-profile.js (pool waits, context load times).
   */
  static async start(
    env: Record<string, string>,
    profileFile?: string,
    poolProfileFile?: string,
  ): Promise<BenchService> {
    const port = await freePort();
    const startedAt = performance.now();
    const preload = [
      ...(profileFile ? ['--require', PROFILER] : []),
      ...(poolProfileFile ? ['--require', POOL_PROFILER] : []),
    ];
    const child = spawn(process.execPath, [...preload, MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        // Not production: that would forbid the local model, which is what measures the pipeline alone.
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        ...env,
        ...(profileFile ? { QUERY_PROFILE_FILE: profileFile } : {}),
        ...(poolProfileFile ? { POOL_PROFILE_FILE: poolProfileFile } : {}),
        PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return new BenchService(child, port, startedAt);
  }

  async health(): Promise<Record<string, unknown> | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/health`);
      return (await response.json()) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  /** Milliseconds from spawn until /health shows both subscriptions connected. */
  async waitConnected(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const body = await this.health();
      const subscriptions = body?.subscriptions as Record<string, string> | undefined;
      if (subscriptions?.['user-messages'] === 'connected' && subscriptions['agent-events'] === 'connected') {
        return performance.now() - this.startedAt;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('service did not connect in time');
  }

  /** Resident memory of the process in MB (Linux /proc). */
  async rssMb(): Promise<number> {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return Math.round((kb / 1024) * 10) / 10;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
