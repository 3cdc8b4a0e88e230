// Black-box: SIGTERM on the built service with a DATABASE_URL (the Cloud Run shape).
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from './tcp-proxy';

/** Cloud Run sends SIGKILL 10 s after SIGTERM. */
const SHUTDOWN_WINDOW_MS = 10_000;

async function stopTimed(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM') {
  const started = Date.now();
  const result = await service.stop(signal);
  return { ...result, elapsedMs: Date.now() - started };
}

describe('shutdown (black-box)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('exits 0 within the shutdown window on SIGTERM, and a second start reuses the data', async () => {
    const first = await ServiceProcess.start({ DATABASE_URL: db.url });
    await first.waitUntilHealthy();
    await db.pool.query(`INSERT INTO users (phone_number, first_name) VALUES ('+15550001111', 'Kept')`);

    const stopped = await stopTimed(first);
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.elapsedMs).toBeLessThan(SHUTDOWN_WINDOW_MS);
    // The service closed its own connections: none of them is left on the server.
    const { rows: left } = await db.pool.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'realtime-processor%'`,
    );
    expect(Number(left[0].count)).toBe(0);

    const second = await ServiceProcess.start({ DATABASE_URL: db.url });
    try {
      await second.waitUntilHealthy();
      const migrationLogs = second.logs().filter((record) => record.context === 'Database');
      expect(migrationLogs.map((record) => record.message)).toContain('database schema is up to date');
      const { rows } = await db.pool.query<{ first_name: string }>(
        `SELECT first_name FROM users WHERE phone_number = '+15550001111'`,
      );
      expect(rows).toEqual([{ first_name: 'Kept' }]);
    } finally {
      const again = await stopTimed(second, 'SIGINT');
      expect(again).toMatchObject({ code: 0, signal: null });
    }
  });

  it('answers 503 shutting_down on /health while it shuts down', async () => {
    // The proxy lets the test hold the shutdown open: with every database byte held, closing the
    // LISTEN connection and the pool waits, and /health can be asked in the meantime.
    const proxy = await TcpProxy.forUrl(db.url);
    const service = await ServiceProcess.start({ DATABASE_URL: proxy.url(db.url), HEALTH_DB_TIMEOUT_MS: '200' });
    try {
      await service.waitUntilHealthy();
      proxy.pause();
      service.child.kill('SIGTERM');
      await expectEventually(
        async () => {
          const { status, body } = await service.get('/health');
          expect(status).toBe(503);
          expect(body).toMatchObject({ status: 'shutting_down', service: 'realtime-processor' });
          const ready = await service.get('/health/ready');
          expect(ready).toMatchObject({ status: 503, body: { status: 'shutting_down' } });
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      proxy.resume();
      const result = await service.exited;
      expect(result).toMatchObject({ code: 0, signal: null });
    } finally {
      proxy.resume();
      await service.stop('SIGKILL');
      await proxy.close();
    }
  });
});
