/**
 * Starts one real PostgreSQL for the whole run (or uses TEST_DATABASE_URL) and prepares a
 * template database with every migration applied; each suite clones it (test/support/database.ts).
 * Uses the compiled service (`npm test` builds first), so migrations run exactly as in production.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEMPLATE_DATABASE, withDatabase } from './database-url';
import { freePort } from './free-port';

interface Supervisor {
  url: string;
  stop(): Promise<void>;
}
declare global {
  var __EMBEDDED_POSTGRES__: Supervisor | undefined;
}

const ROOT = join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EmbeddedPostgresSupervisor } = require(
      join(ROOT, 'dist', 'database', 'embedded-postgres.supervisor.js'),
    ) as {
      EmbeddedPostgresSupervisor: { start(request: { dataDir: string; port: number }): Promise<Supervisor> };
    };
    const supervisor = await EmbeddedPostgresSupervisor.start({
      dataDir: mkdtempSync(join(tmpdir(), 'rp-test-pg-')),
      port: await freePort(),
    });
    globalThis.__EMBEDDED_POSTGRES__ = supervisor;
    serverUrl = supervisor.url;
  }
  process.env.TEST_SERVER_URL = serverUrl;

  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  execFileSync(process.execPath, [join(ROOT, 'dist', 'database', 'migrate.main.js')], {
    env: { ...process.env, DATABASE_URL: withDatabase(serverUrl, TEMPLATE_DATABASE), LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
}
