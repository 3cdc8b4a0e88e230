// Black-box: the built service with the postgres feed on a dedicated embedded PostgreSQL, reached
// through a TCP proxy, so the test can terminate the LISTEN backend, cut or stall the network and
// restart the database under the running service. The timer sweep is off: rows the feed could not
// hear are found only because it re-LISTENed by itself and that started a catch-up sweep.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { TcpProxy } from '../foundation/tcp-proxy';
import { withDatabase } from '../support/database-url';
import { expectEventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { ServiceProcess } from '../support/service-process';
import { expectProcessedOnce, insertWork, type InsertedWork } from './processing-audit';

const ROOT = join(__dirname, '..', '..');

interface Supervisor {
  url: string;
  stop(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EmbeddedPostgresSupervisor } = require(join(ROOT, 'dist', 'database', 'embedded-postgres.supervisor.js')) as {
  EmbeddedPostgresSupervisor: { start(request: { dataDir: string; port: number }): Promise<Supervisor> };
};

describe('postgres feed when the database goes away under it (black-box)', () => {
  let dataDir: string;
  let port: number;
  let postgres: Supervisor;
  let url: string;
  let pool: Pool;
  let proxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rp-restart-pg-'));
    port = await freePort();
    postgres = await EmbeddedPostgresSupervisor.start({ dataDir, port });
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE rp_restart');
    await admin.end();
    url = withDatabase(postgres.url, 'rp_restart');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'database', 'migrate.main.js')], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    // The test's own connections go straight to the database, the service's through the proxy.
    pool = new Pool({ connectionString: url, max: 4 });
    pool.on('error', () => undefined);
    proxy = await TcpProxy.forUrl(url);
    service = await ServiceProcess.start({
      DATABASE_URL: proxy.url(url),
      REALTIME_SOURCE: 'postgres',
      LISTEN_PROBE_INTERVAL_MS: '500',
      FEED_RECONNECT_MIN_MS: '100',
      FEED_RECONNECT_MAX_MS: '1000',
      SWEEP_INTERVAL_MS: '600000',
      HEALTH_DB_TIMEOUT_MS: '300',
      LOG_LEVEL: 'debug',
    });
    await service.waitUntilHealthy();
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await pool?.end();
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const count = (event: string) => service.logs().filter((record) => record.event === event).length;
  const notHeardThroughListen = (work: InsertedWork) => {
    const heard = new Set(
      service
        .logs()
        // By context: the scrubber redacts the word 'postgres' (the embedded database's password) in values.
        .filter((record) => record.event === 'wake_up' && record.context === 'PostgresChangeFeed')
        .map((record) => String(record.messageId ?? record.eventId)),
    );
    return [...work.messageIds, ...work.eventIds].filter((id) => !heard.has(id));
  };
  /** /health while the feed is down: reconnecting, with the reason; `status` is 503 if the database is down too. */
  const expectFeedDown = (status: number, lastError: RegExp) =>
    expectEventually(
      async () => {
        const health = await service.get('/health');
        expect(health.status).toBe(status);
        expect(health.body.subscriptions).toEqual({ 'user-messages': 'reconnecting', 'agent-events': 'reconnecting' });
        const checks = health.body.checks as Record<string, { channels?: Record<string, { lastError?: string }> }>;
        const details = checks.subscriptions ?? (health.body as { error?: typeof checks }).error?.subscriptions;
        expect(details?.channels?.['user-messages']?.lastError).toMatch(lastError);
      },
      { timeoutMs: 60_000, intervalMs: 10 },
    );

  it('re-LISTENs at once when its backend is terminated, and hears new rows again', async () => {
    const subscribed = count('feed_subscribed');
    const { rows } = await pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
       WHERE application_name = 'realtime-processor-listen'`,
    );
    expect(rows).toEqual([{ terminated: true }]);
    await expectEventually(() => {
      expect(count('feed_disconnected')).toBeGreaterThanOrEqual(1);
      expect(count('feed_subscribed')).toBeGreaterThan(subscribed);
    });
    await service.waitUntilHealthy();
    const work = await insertWork(pool, 2, 1, 'after terminate');
    await expectProcessedOnce(pool, work);
    expect(notHeardThroughListen(work)).toEqual([]);
  });

  it('after a network cut, processes what was committed while it could not listen', async () => {
    await proxy.close();
    await expectFeedDown(503, /ECONNREFUSED|ended|terminated|ECONNRESET|timeout/i);
    const work = await insertWork(pool, 3, 1, 'during the cut');
    await proxy.reopen();
    await service.waitUntilHealthy();
    await expectProcessedOnce(pool, work);
    // LISTEN was down when these were committed: the sweep after re-LISTEN found them.
    expect(notHeardThroughListen(work)).toHaveLength(4);
  });

  it('notices a stalled connection with its probe and comes back when the network does', async () => {
    proxy.pause();
    await expectFeedDown(503, /probe timed out|timeout/i);
    const work = await insertWork(pool, 2, 1, 'during the stall');
    proxy.resume();
    await service.waitUntilHealthy();
    await expectProcessedOnce(pool, work);
  });

  it('survives a restart of the database and LISTENs again', async () => {
    await postgres.stop();
    await expectFeedDown(503, /./);
    postgres = await EmbeddedPostgresSupervisor.start({ dataDir, port });
    await service.waitUntilHealthy();
    const work = await insertWork(pool, 2, 1, 'after restart');
    await expectProcessedOnce(pool, work);
    expect(notHeardThroughListen(work)).toEqual([]);
  });
});
