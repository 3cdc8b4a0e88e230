import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { EmbeddedPostgresReply, EmbeddedPostgresRequest } from './embedded-postgres.main';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Starts and stops the embedded PostgreSQL child process (development default only). */
export class EmbeddedPostgresSupervisor {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(request: EmbeddedPostgresRequest): Promise<EmbeddedPostgresSupervisor> {
    const child = fork(join(__dirname, 'embedded-postgres.main.js'), [], {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.send(request);
    const reply = (await Promise.race([
      once(child, 'message').then(([message]) => message as EmbeddedPostgresReply),
      once(child, 'exit').then(([code]) => ({ type: 'failed', error: `exited with code ${String(code)}` }) as const),
      new Promise<EmbeddedPostgresReply>((resolve) =>
        setTimeout(() => resolve({ type: 'failed', error: 'timed out' }), START_TIMEOUT_MS).unref(),
      ),
    ])) as EmbeddedPostgresReply;
    if (reply.type === 'failed') {
      child.kill('SIGKILL');
      throw new Error(`embedded PostgreSQL did not start: ${reply.error}`);
    }
    return new EmbeddedPostgresSupervisor(child, reply.url);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = once(this.child, 'exit');
    this.child.send('stop');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
