// Black-box: with the supabase feed deaf (paused) or its server gone altogether, the built
// service keeps processing on the catch-up timer alone, reports the outage on /health, and comes
// back by itself when the server does.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RealtimeStandIn } from '../support/realtime-stand-in';
import { ServiceProcess } from '../support/service-process';
import { expectDegraded } from './health';
import { expectProcessedOnce, insertWork } from './processing-audit';
import { fastSupabaseEnv } from './supabase-service.env';

describe('supabase feed down: the timer sweep carries on (black-box)', () => {
  let db: TestDatabase;
  let standIn: RealtimeStandIn;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    standIn = await RealtimeStandIn.start({ databaseUrl: db.url });
    service = await ServiceProcess.start(fastSupabaseEnv(db.url, standIn.url, 300));
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await standIn?.stop();
    await db?.drop();
  });

  const timerSweeps = () =>
    service.logs().filter((record) => record.event === 'catch_up_sweep' && record.reason === 'timer').length;

  it('processes rows whose notifications were lost (paused feed) on the timer', async () => {
    standIn.setPaused(true);
    const dropped = standIn.stats.droppedWhilePaused;
    const sweeps = timerSweeps();
    const work = await insertWork(db.pool, 3, 1, 'paused');
    await expectProcessedOnce(db.pool, work);
    expect(standIn.stats.droppedWhilePaused).toBeGreaterThanOrEqual(dropped + 4);
    expect(timerSweeps()).toBeGreaterThan(sweeps);
    const wakeUps = service.logs().filter((record) => record.event === 'wake_up');
    expect(wakeUps.filter((record) => work.messageIds.includes(String(record.messageId)))).toEqual([]);
    standIn.setPaused(false);
  });

  it('keeps working while the Realtime server is gone, says so on /health, and reconnects when it is back', async () => {
    const port = Number(new URL(standIn.url).port);
    await standIn.stop();
    await expectDegraded(service, /CHANNEL_ERROR|TIMED_OUT/);

    const work = await insertWork(db.pool, 3, 1, 'server gone');
    await expectProcessedOnce(db.pool, work);
    const { body } = await service.get('/health');
    expect(Object.values(body.subscriptions as Record<string, string>)).toContain('reconnecting');

    standIn = await RealtimeStandIn.start({ port, databaseUrl: db.url });
    await service.waitUntilHealthy();
    const after = await insertWork(db.pool, 2, 1, 'server back');
    await expectProcessedOnce(db.pool, after);
  });
});
