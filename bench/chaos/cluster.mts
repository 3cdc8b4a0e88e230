import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every instance process started, so that none outlives the run, however the run ends. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const require = createRequire(import.meta.url);

interface Supervisor {
  url: string;
  stop(): Promise<void>;
}
type SupervisorClass = { start(request: { dataDir: string; port: number }): Promise<Supervisor> };

/** An embedded PostgreSQL that can be restarted on the same data and port (a database outage). */
export class RestartablePostgres {
  private supervisor: Supervisor | undefined;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'rp-chaos-pg-'));
  private readonly supervisorClass: SupervisorClass;
  port = 0;
  url = '';

  constructor() {
    this.supervisorClass = (
      require(join(ROOT, 'dist', 'database', 'embedded-postgres.supervisor.js')) as {
        EmbeddedPostgresSupervisor: SupervisorClass;
      }
    ).EmbeddedPostgresSupervisor;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.supervisor = await this.supervisorClass.start({ dataDir: this.dataDir, port: this.port });
    this.url = this.supervisor.url;
  }

  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = undefined;
  }
}

/** One service instance that can be killed and started again under the same name. */
export class Instance {
  child: ChildProcess | undefined;
  readonly port: Promise<number> = freePort();
  readonly name: string;
  private readonly env: Record<string, string>;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Exits nobody asked for. */
  crashes = 0;
  /** Set when the run is over: exits are expected from then on. */
  retired = false;
  private expectingExit = false;
  /** Every run of this instance appends its JSON log here, for the post-mortem of a failed run. */
  readonly logFile: string;

  constructor(name: string, env: Record<string, string>, logDir: string) {
    this.name = name;
    this.env = env;
    this.logFile = join(logDir, `${name}.log`);
  }

  async start(): Promise<void> {
    const port = await this.port;
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...this.env,
        INSTANCE_ID: this.name,
        PORT: String(port),
      },
      stdio: ['ignore', openSync(this.logFile, 'a'), openSync(this.logFile, 'a')],
    });
    this.child = child;
    children.add(child);
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      children.delete(child);
      this.lastExit = { code, signal };
      if (this.expectingExit || this.retired) return;
      // Nobody asked it to stop: a crash. Count it (the run fails) and bring the instance back.
      this.crashes += 1;
      setTimeout(() => {
        if (!this.retired) void this.start();
      }, 500);
    });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGSTOP: the process stays, frozen mid-whatever, holding its connections and claims. */
  freeze(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: the frozen process carries on where it was, unaware that time passed. */
  thaw(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  /** Sends the signal and waits for the exit; returns how long the exit took (ms). */
  async kill(signal: NodeJS.Signals): Promise<number> {
    const child = this.child;
    if (!child || !this.running) return 0;
    const started = performance.now();
    const exited = once(child, 'exit');
    this.expectingExit = true;
    child.kill(signal);
    await exited;
    return performance.now() - started;
  }

  /** True when /health answers 200 with both subscriptions connected. */
  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${await this.port}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { subscriptions?: Record<string, string> };
      return (
        response.status === 200 &&
        body.subscriptions?.['user-messages'] === 'connected' &&
        body.subscriptions['agent-events'] === 'connected'
      );
    } catch {
      return false;
    }
  }
}

/** Polls `check` every 50 ms until it holds; returns the milliseconds it took, or NaN on timeout. */
export async function timeUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.NaN;
}
