// In-process: the real AppModule with the supabase feed (real supabase-js) against the Realtime
// stand-in fed by the test database; wake-ups are read off the Nest event bus itself.
import type { INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SubscriptionRegistry } from '../../src/realtime/subscription-registry';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { RealtimeStandIn } from '../support/realtime-stand-in';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import { startTestApp } from '../support/test-app';
import { insertOutbound } from './outbound';
import { SERVICE_ROLE_KEY } from './service-role-key';
import { WakeUpRecorder } from './wake-up-recorder';

describe('supabase feed → Nest event bus (in-process)', () => {
  let db: TestDatabase;
  let standIn: RealtimeStandIn;
  let app: INestApplication | undefined;
  let recorder: WakeUpRecorder;

  beforeAll(async () => {
    db = await createTestDatabase();
    standIn = await RealtimeStandIn.start({ databaseUrl: db.url });
    app = await startTestApp({
      DATABASE_URL: db.url,
      REALTIME_SOURCE: 'supabase',
      SUPABASE_URL: standIn.url,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
      SWEEP_INTERVAL_MS: '600000',
    });
    recorder = new WakeUpRecorder(app.get(EventEmitter2));
    const registry = app.get(SubscriptionRegistry);
    await expectEventually(() => {
      expect(registry.get('user-messages').state).toBe('connected');
      expect(registry.get('agent-events').state).toBe('connected');
    });
  });

  afterAll(async () => {
    await app?.close();
    await standIn?.stop();
    await db?.drop();
  });

  it('subscribes both channels with the service key, the server-side filter and protocol 2.0.0', () => {
    expect(standIn.joinedTopics()).toEqual(['realtime:agent-events', 'realtime:user-messages']);
    expect(standIn.lastApiKey).toBe(SERVICE_ROLE_KEY);
    expect(standIn.lastVsn).toBe('2.0.0');
  });

  it('turns an inserted inbound message and an inserted event into wake-ups with source supabase', async () => {
    const user = await seedUser(db.pool);
    const [messageId] = await insertInbound(db.pool, user, ['hello']);
    const eventId = await insertEvent(db.pool, 'system.ping', { n: 1 });
    await recorder.waitFor(
      (r) =>
        r.of(messageId).some((w) => w.kind === 'message' && w.source === 'supabase') &&
        r.of(eventId).some((w) => w.kind === 'event' && w.source === 'supabase'),
      'supabase wake-ups for the message and the event',
    );
  });

  it('wakes nobody up for outbound rows', async () => {
    const user = await seedUser(db.pool);
    const outboundId = await insertOutbound(db.pool, user, 'a reply');
    // The stand-in publishes in commit order on one socket: the later inbound row is a barrier.
    const [barrierId] = await insertInbound(db.pool, user, ['after the reply']);
    await recorder.waitFor((r) => r.of(barrierId).some((w) => w.source === 'supabase'), 'the barrier wake-up');
    expect(recorder.of(outboundId)).toEqual([]);
  });

  it('closes its socket on shutdown, promptly', async () => {
    const started = Date.now();
    await app!.close();
    app = undefined;
    expect(Date.now() - started).toBeLessThan(5_000);
    await standIn.waitUntil((s) => s.connectionCount() === 0, 30_000, 'the socket to close');
  });
});
