// Black-box: the built service on a test database reached through a TCP proxy, so the database can
// be taken away from it and given back while it runs.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from './tcp-proxy';

const HEALTHCHECK = join(__dirname, '..', '..', 'scripts', 'healthcheck.js');
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Exit code of `node scripts/healthcheck.js` (the Docker HEALTHCHECK) against `port`. */
async function healthcheckExitCode(port: number): Promise<number> {
  try {
    await promisify(execFile)(process.execPath, [HEALTHCHECK], { env: { PORT: String(port) }, timeout: 10_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('health endpoints (black-box)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await TcpProxy.forUrl(db.url);
    service = await ServiceProcess.start({ DATABASE_URL: proxy.url(db.url), HEALTH_DB_TIMEOUT_MS: '500' });
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await db?.drop();
  });

  it('GET /health returns the README JSON with 200', async () => {
    const before = Date.now();
    const { status, body } = await service.get('/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      service: 'realtime-processor',
      subscriptions: { 'user-messages': 'connected', 'agent-events': 'connected' },
    });
    expect(body.timestamp).toMatch(ISO_TIMESTAMP);
    expect(Math.abs(Date.parse(body.timestamp as string) - before)).toBeLessThan(5_000);
    expect(Number.isInteger(body.uptime)).toBe(true);
    expect(body.uptime).toBeGreaterThanOrEqual(0);
    expect(body).toHaveProperty('lastProcessedAt');
    const lastProcessedAt = body.lastProcessedAt;
    expect(
      lastProcessedAt === null || (typeof lastProcessedAt === 'string' && ISO_TIMESTAMP.test(lastProcessedAt)),
    ).toBe(true);
    const counters = body.counters as Record<string, unknown>;
    expect(Object.keys(counters)).toEqual(expect.arrayContaining(['inFlight', 'messages_done', 'events_done']));
    for (const value of Object.values(counters)) expect(Number.isInteger(value)).toBe(true);
  });

  it('GET /health/live and /health/ready answer 200 while the database is reachable', async () => {
    expect(await service.get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await service.get('/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await healthcheckExitCode(service.port)).toBe(0);
  });

  it('reports 503 while the database is unreachable, keeps liveness at 200, and recovers', async () => {
    await proxy.close();

    await expectEventually(
      async () => {
        const ready = await service.get('/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
        const overview = await service.get('/health');
        expect(overview.status).toBe(503);
        expect(overview.body).toMatchObject({ status: 'unhealthy', service: 'realtime-processor' });
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    // Liveness touches nothing: a database outage must not get the container restarted.
    expect(await service.get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await healthcheckExitCode(service.port)).toBe(0);

    const acceptedBeforeRestore = proxy.accepted;
    await proxy.reopen();
    // The pool reconnects and the LISTEN feed re-subscribes by itself.
    await service.waitUntilHealthy();
    expect(proxy.accepted).toBeGreaterThan(acceptedBeforeRestore);
    expect(await service.get('/health/ready')).toMatchObject({ status: 200 });
    const resubscribed = service.logs().filter((record) => record.event === 'feed_subscribed');
    expect(resubscribed.length).toBeGreaterThanOrEqual(2);
  });

  it('the Docker healthcheck script fails when nothing answers', async () => {
    await service.stop();
    expect(await healthcheckExitCode(service.port)).toBe(1);
  });
});
