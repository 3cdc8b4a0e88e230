import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../test/support/free-port.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

/**
 * Ten instances hold up to 10 × (MAX_CONCURRENCY + 4) pooled connections plus their listeners;
 * PostgreSQL's default of 100 would refuse some and turn the claim-attempts run into an outage.
 */
const BENCH_MAX_CONNECTIONS = 400;

interface Supervisor {
  url: string;
  stop(): Promise<void>;
}

/** One PostgreSQL for the whole benchmark run: BENCH_DATABASE_URL, or an embedded one. */
export async function startPostgres(): Promise<{ serverUrl: string; stop(): Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL)
    return { serverUrl: process.env.BENCH_DATABASE_URL, stop: () => Promise.resolve() };
  const { EmbeddedPostgresSupervisor } = require(join(ROOT, 'dist', 'database', 'embedded-postgres.supervisor.js')) as {
    EmbeddedPostgresSupervisor: {
      start(request: { dataDir: string; port: number; maxConnections?: number }): Promise<Supervisor>;
    };
  };
  const supervisor = await EmbeddedPostgresSupervisor.start({
    dataDir: mkdtempSync(join(tmpdir(), 'rp-bench-pg-')),
    port: await freePort(),
    maxConnections: BENCH_MAX_CONNECTIONS,
  });
  return { serverUrl: supervisor.url, stop: () => supervisor.stop() };
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh database; `migrate` applies the service's migrations to it. */
export async function createDatabase(serverUrl: string, name: string, migrate: boolean): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  if (migrate) {
    execFileSync(process.execPath, [join(ROOT, 'dist', 'database', 'migrate.main.js')], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
  }
  return url;
}

export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  return rows[0].server_version;
}
