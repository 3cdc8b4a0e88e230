// Black-box: the built service refuses a bad environment before it opens any connection.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js` in `cwd` with exactly `env` (plus PATH) and waits for it to exit. */
async function runService(env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A TCP listener standing in for PostgreSQL: it only counts connection attempts. */
async function connectionCounter(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, port, connections: () => connections };
}

describe('configuration errors (black-box)', () => {
  let cwd: string;
  let embeddedDir: string;
  let database: Awaited<ReturnType<typeof connectionCounter>>;

  beforeEach(async () => {
    // A directory of its own, so no .env of the developer's leaks in.
    cwd = mkdtempSync(join(tmpdir(), 'rp-config-'));
    embeddedDir = join(cwd, 'embedded');
    database = await connectionCounter();
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => database.server.close(() => resolve()));
    rmSync(cwd, { recursive: true, force: true });
  });

  it('NODE_ENV=production with nothing configured exits non-zero naming DATABASE_URL and ANTHROPIC_API_KEY', async () => {
    const run = await runService(
      { NODE_ENV: 'production', EMBEDDED_DB_DIR: embeddedDir, EMBEDDED_DB_PORT: String(database.port) },
      cwd,
    );
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain('DATABASE_URL');
    expect(run.stderr).toContain('ANTHROPIC_API_KEY');
    // No embedded database was created or started as a fallback, and nothing connected anywhere.
    expect(readdirSync(cwd)).toEqual([]);
    expect(database.connections()).toBe(0);
    expect(run.stdout).not.toContain('service_started');
  });

  it('lists every invalid value at once and opens no database connection', async () => {
    const run = await runService(
      {
        NODE_ENV: 'production',
        DATABASE_URL: `postgres://app:Db-Pass-Never-Shown-41@127.0.0.1:${database.port}/app`,
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        REALTIME_SOURCE: 'kafka',
      },
      cwd,
    );
    expect(run.code).toBe(1);
    for (const name of ['PORT', 'LOG_LEVEL', 'REALTIME_SOURCE', 'ANTHROPIC_API_KEY'])
      expect(run.stderr).toContain(name);
    // DATABASE_URL itself is valid here, so it is not among the problems.
    expect(run.stderr).not.toContain('DATABASE_URL');
    expect(run.stderr).not.toContain('Db-Pass-Never-Shown-41');
    expect(database.connections()).toBe(0);
  });

  it('rejects the supabase feed without its key, without echoing secrets', async () => {
    const run = await runService(
      {
        NODE_ENV: 'production',
        DATABASE_URL: `postgres://app:Db-Pass-Never-Shown-42@127.0.0.1:${database.port}/app`,
        ANTHROPIC_API_KEY: 'sk-ant-Never-Shown-0042-abcdef',
        SUPABASE_URL: 'https://project.supabase.co',
      },
      cwd,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SUPABASE_SERVICE_ROLE_KEY');
    expect(run.stderr + run.stdout).not.toMatch(/Never-Shown/);
    expect(database.connections()).toBe(0);
  });

  it('reads ./.env the same way in the preflight as in the app', async () => {
    // DATABASE_URL only in .env: the preflight must see it, so only the missing key is reported.
    writeFileSync(
      join(cwd, '.env'),
      `DATABASE_URL=postgres://app:Db-Pass-Never-Shown-43@127.0.0.1:${database.port}/app\nLOG_LEVEL=warn\n`,
    );
    const run = await runService({ NODE_ENV: 'production', LOG_LEVEL: 'loud' }, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ANTHROPIC_API_KEY');
    expect(run.stderr).not.toContain('DATABASE_URL');
    // The process environment wins over .env.
    expect(run.stderr).toContain('LOG_LEVEL');
    expect(database.connections()).toBe(0);
  });
});
