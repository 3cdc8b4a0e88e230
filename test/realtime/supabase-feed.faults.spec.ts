// Black-box: the built service with the supabase feed (real supabase-js) against the Realtime
// stand-in fed by the test database, through every fault switch of the stand-in. The timer sweep
// is off, so whatever the feed missed during an outage is found only because the feed
// resubscribed by itself and the resubscribe started a catch-up sweep.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { RealtimeStandIn } from '../support/realtime-stand-in';
import { ServiceProcess } from '../support/service-process';
import { expectDegraded } from './health';
import { expectProcessedOnce, insertWork, type InsertedWork } from './processing-audit';
import { fastSupabaseEnv } from './supabase-service.env';

describe('supabase feed under Realtime faults (black-box)', () => {
  let db: TestDatabase;
  let standIn: RealtimeStandIn;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    standIn = await RealtimeStandIn.start({ databaseUrl: db.url });
    service = await ServiceProcess.start(fastSupabaseEnv(db.url, standIn.url, 600_000));
    await service.waitUntilHealthy();
  });

  afterEach(async () => {
    standIn.setHeartbeatReplies(true);
    standIn.setJoinMode('ok');
    standIn.setPushDelay(0);
    standIn.setPaused(false);
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    const exit = await service?.stop();
    await standIn?.stop();
    await db?.drop();
    // No fault may have crashed the process: it exits cleanly on SIGTERM at the end.
    expect(exit).toEqual({ code: 0, signal: null });
  });

  /** Ids the service logged a wake-up from the supabase feed for. */
  const heardBySupabase = () =>
    new Set(
      service
        .logs()
        .filter((record) => record.event === 'wake_up' && record.source === 'supabase')
        .map((record) => String(record.messageId ?? record.eventId)),
    );

  /**
   * Breaks the feed, waits until /health shows it (degraded, a channel reconnecting with the
   * expected error), inserts work while it is down, restores the server and proves the service
   * came back by itself and processed every row exactly once.
   */
  async function outage(
    label: string,
    lastError: RegExp,
    breakIt: () => void,
    restore: () => void | Promise<void> = () => undefined,
  ): Promise<void> {
    breakIt();
    await expectDegraded(service, lastError);
    const work = await insertWork(db.pool, 2, 1, label);
    await restore();
    await service.waitUntilHealthy();
    await expectProcessedOnce(db.pool, work);
    expect(service.child.exitCode).toBeNull();
  }

  it('comes back after the socket is dropped', async () => {
    const connections = standIn.stats.connections;
    await outage('drop', /CHANNEL_ERROR: socket closed/, () => standIn.dropConnections());
    expect(standIn.stats.connections).toBeGreaterThan(connections);
  });

  it('replaces a socket that stops answering heartbeats', async () => {
    await outage(
      'stall',
      /heartbeat timeout/,
      () => standIn.setHeartbeatReplies(false),
      () => standIn.setHeartbeatReplies(true),
    );
  });

  it('keeps retrying refused joins, with backoff, until they are accepted', async () => {
    const refused = standIn.stats.joinsRefused;
    await outage(
      'refuse',
      /RealtimeDisabledForConfiguration/,
      () => {
        standIn.setJoinMode('refuse', 'RealtimeDisabledForConfiguration: refused by the test');
        standIn.dropConnections();
      },
      async () => {
        // Nothing is joined meanwhile, so the feed hears none of the rows inserted during this.
        await standIn.waitUntil((s) => s.stats.joinsRefused >= refused + 6, 30_000, 'three refused rounds');
        standIn.setJoinMode('ok');
      },
    );
  });

  it('retries joins the server never answers (TIMED_OUT) until one is answered', async () => {
    const joins = standIn.stats.joins;
    await outage(
      'ignore',
      /TIMED_OUT/,
      () => {
        standIn.setJoinMode('ignore');
        standIn.dropConnections();
      },
      async () => {
        await standIn.waitUntil((s) => s.stats.joins >= joins + 6, 30_000, 'three unanswered rounds');
        standIn.setJoinMode('ok');
      },
    );
  });

  it('rejoins with a new channel after phx_error', async () => {
    await outage('phx_error', /CHANNEL_ERROR/, () => expect(standIn.sendPhxError()).toBe(2));
  });

  it('replaces a CLOSED channel, which realtime-js itself never rejoins', async () => {
    await outage('phx_close', /CLOSED: Token has expired/, () =>
      expect(standIn.sendPhxClose('Token has expired 5 seconds ago')).toBe(2),
    );
    expect(standIn.joinedTopics()).toEqual(['realtime:agent-events', 'realtime:user-messages']);
  });

  it('drops malformed frames and changes with a logged reason, without crashing or reconnecting', async () => {
    const connections = standIn.stats.connections;
    expect(standIn.sendMalformedFrame()).toBeGreaterThan(0);
    // Frames realtime-js itself cannot decode: unguarded, each would be an uncaught exception.
    standIn.sendRawFrame('not json');
    standIn.sendRawFrame('{"topic":"phoenix","event":"phx_reply","payload":{}}');
    standIn.sendRawFrame('[null,null,"realtime:user-messages","postgres_changes",{"ids":[1],"data":{}}]');
    standIn.sendRawFrame('[null,null,"realtime:user-messages","phx_reply",null]');
    // A well-formed frame whose record is not a message we can use.
    expect(standIn.publish({ table: 'messages', record: { id: 'not-a-uuid', direction: 'inbound' } })).toBe(1);

    await expectEventually(() => {
      const logs = service.logs();
      expect(logs.filter((r) => r.event === 'realtime_frame_rejected').length).toBeGreaterThanOrEqual(4);
      expect(logs).toContainEqual(
        expect.objectContaining({ event: 'notification_rejected', reason: expect.stringContaining('uuid') }),
      );
    });
    expect(service.child.exitCode).toBeNull();
    // Still the same socket, still delivering: with the timer off, only the feed can wake these up.
    const work = await insertWork(db.pool, 2, 1, 'after malformed');
    await expectProcessedOnce(db.pool, work);
    expect([...work.messageIds, ...work.eventIds].filter((id) => !heardBySupabase().has(id))).toEqual([]);
    expect(standIn.stats.connections).toBe(connections);
    expect((await service.get('/health')).body.subscriptions).toEqual({
      'user-messages': 'connected',
      'agent-events': 'connected',
    });
  });

  it('delivers delayed pushes late but once, without reconnecting', async () => {
    const joins = standIn.stats.joins;
    standIn.setPushDelay(400);
    const work: InsertedWork = await insertWork(db.pool, 2, 1, 'delayed');
    await expectProcessedOnce(db.pool, work);
    expect([...work.messageIds, ...work.eventIds].filter((id) => !heardBySupabase().has(id))).toEqual([]);
    expect(standIn.stats.joins).toBe(joins);
  });
});
