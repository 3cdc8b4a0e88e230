// Black-box: the zero-configuration default. No DATABASE_URL: the built service starts its own
// embedded PostgreSQL (data in EMBEDDED_DB_DIR), comes up healthy, stops cleanly, and keeps the data.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { ServiceProcess } from '../support/service-process';
import { embeddedDatabaseUrl } from '../../src/database/embedded-postgres.credentials';

/** Processes whose command line mentions `text` (the postmaster is started with `-D <dataDir>`). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return cmdline.includes(text) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('embedded default (black-box)', () => {
  let dataDir: string;
  let port: number;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rp-embedded-'));
    port = await freePort();
    url = embeddedDatabaseUrl(port);
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startEmbedded(): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({ EMBEDDED_DB_DIR: dataDir, EMBEDDED_DB_PORT: String(port) });
    await service.waitUntilHealthy();
    expect(service.logs().some((record) => record.event === 'embedded_database')).toBe(true);
    return service;
  }

  async function expectCleanStop(service: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
    const started = Date.now();
    expect(await service.stop(signal)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    // Connections closed before PostgreSQL stopped: none was cut under the service.
    expect(
      service.logs().filter((record) => record.event === 'db_pool_client_error' || record.level === 'error'),
    ).toEqual([]);
    // PostgreSQL shut down cleanly (it removes its pid file) and left no process behind.
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
  }

  it('comes up with no configuration, stops on SIGTERM, and a second start (stopped by SIGINT) keeps the data', async () => {
    const first = await startEmbedded();
    try {
      expect(
        first.logs().find((record) => record.context === 'Database' && String(record.message).startsWith('applied')),
      ).toBeDefined();
      await query(url, `INSERT INTO users (phone_number, first_name) VALUES ('+15550002222', 'Persisted')`);
    } finally {
      await expectCleanStop(first, 'SIGTERM');
    }

    const second = await startEmbedded();
    try {
      const migrationLogs = second.logs().filter((record) => record.context === 'Database');
      expect(migrationLogs.map((record) => record.message)).toContain('database schema is up to date');
      const rows = await query<{ first_name: string }>(
        url,
        `SELECT first_name FROM users WHERE phone_number = '+15550002222'`,
      );
      expect(rows).toEqual([{ first_name: 'Persisted' }]);
    } finally {
      await expectCleanStop(second, 'SIGINT');
    }
  });
});
