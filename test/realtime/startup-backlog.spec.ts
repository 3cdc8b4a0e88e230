// Black-box: rows committed while the service was stopped are processed when it starts, and a
// backlog many sweep pages deep is drained by the startup sweep itself — without the timer
// (switched off here) and without the engine having to turn any wake-up away first.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ServiceProcess } from '../support/service-process';
import { expectProcessedOnce, insertWork } from './processing-audit';

const PAGE_SIZE = 15;
const USERS = 100;
const EVENTS = 30;

describe('rows committed while the service was stopped (black-box)', () => {
  let db: TestDatabase;
  let service: ServiceProcess | undefined;
  const env = () => ({
    DATABASE_URL: db.url,
    REALTIME_SOURCE: 'postgres',
    SWEEP_PAGE_SIZE: String(PAGE_SIZE),
    SWEEP_INTERVAL_MS: '600000',
    // 8 running + 256 waiting: the engine can hold the whole backlog, so it never asks for more.
    MAX_CONCURRENCY: '8',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it(`processes a backlog of ${USERS} texts and ${EVENTS} events, ${PAGE_SIZE} rows a page, once each after a restart`, async () => {
    service = await ServiceProcess.start(env());
    await service.waitUntilHealthy();
    expect(await service.stop()).toEqual({ code: 0, signal: null });

    const work = await insertWork(db.pool, USERS, EVENTS, 'while stopped');

    service = await ServiceProcess.start(env());
    await service.waitUntilHealthy();
    await expectProcessedOnce(db.pool, work, 20_000);
    // The first sweep of the boot: the sweep's own 'startup' or the engine's 'engine started',
    // whichever module boots first (the sweep reads the engine's handled event types).
    const startup = service
      .logs()
      .find(
        (record) =>
          record.event === 'catch_up_sweep' && (record.reason === 'startup' || record.reason === 'engine started'),
      );
    expect(startup).toMatchObject({ messages: USERS, events: EVENTS, more: false });
    expect(startup?.pages).toBeGreaterThan(USERS / PAGE_SIZE);
  });
});
