import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expectEventually } from './eventually';
import { freePort } from './free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built service (`node dist/main.js`) as a child process, as production runs it. */
export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<ExitResult>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.stdout.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise<ExitResult>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Starts the service with exactly `env` (plus PATH); nothing leaks in from the test's environment,
   * not even a developer's `.env`: the working directory is an empty temporary one.
   */
  static async start(
    env: Record<string, string>,
    cwd = mkdtempSync(join(tmpdir(), 'rp-service-')),
  ): Promise<ServiceProcess> {
    const port = env.PORT ? Number(env.PORT) : await freePort();
    const child = spawn(process.execPath, [MAIN], {
      cwd,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Log records written so far, parsed (non-JSON lines are skipped). */
  logs(): Record<string, unknown>[] {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Waits until /health answers 200 with both subscriptions connected. */
  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    await expectEventually(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`service exited early:\n${this.stderr.join('\n')}`);
        const { status, body } = await this.get('/health');
        const subscriptions = body.subscriptions as Record<string, string>;
        if (
          status !== 200 ||
          subscriptions['user-messages'] !== 'connected' ||
          subscriptions['agent-events'] !== 'connected'
        ) {
          throw new Error(`not healthy yet: ${status} ${JSON.stringify(body)}`);
        }
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
