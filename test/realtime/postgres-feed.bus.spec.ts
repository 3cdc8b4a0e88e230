// In-process: the real AppModule with the postgres feed on a test database; wake-ups are read off
// the Nest event bus itself.
import type { INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SubscriptionRegistry } from '../../src/realtime/subscription-registry';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import { startTestApp } from '../support/test-app';
import { insertOutbound } from './outbound';
import { WakeUpRecorder } from './wake-up-recorder';

describe('postgres feed → Nest event bus (in-process)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let recorder: WakeUpRecorder;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The timer sweep is off, so wake-ups come from the feed (or the sweeps its subscribe starts).
    app = await startTestApp({ DATABASE_URL: db.url, REALTIME_SOURCE: 'postgres', SWEEP_INTERVAL_MS: '600000' });
    recorder = new WakeUpRecorder(app.get(EventEmitter2));
    const registry = app.get(SubscriptionRegistry);
    await expectEventually(() => {
      expect(registry.get('user-messages').state).toBe('connected');
      expect(registry.get('agent-events').state).toBe('connected');
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('turns an inserted inbound message and an inserted event into wake-ups with source postgres', async () => {
    const user = await seedUser(db.pool);
    const [messageId] = await insertInbound(db.pool, user, ['hello']);
    const eventId = await insertEvent(db.pool, 'system.ping', { n: 1 });
    await recorder.waitFor(
      (r) =>
        r.of(messageId).some((w) => w.kind === 'message' && w.source === 'postgres') &&
        r.of(eventId).some((w) => w.kind === 'event' && w.source === 'postgres'),
      'postgres wake-ups for the message and the event',
    );
  });

  it('wakes nobody up for outbound rows', async () => {
    const user = await seedUser(db.pool);
    const outboundId = await insertOutbound(db.pool, user, 'a reply');
    // NOTIFY is delivered in commit order: once the later inbound row is heard, the outbound one would have been.
    const [barrierId] = await insertInbound(db.pool, user, ['after the reply']);
    await recorder.waitFor((r) => r.of(barrierId).some((w) => w.source === 'postgres'), 'the barrier wake-up');
    expect(recorder.of(outboundId)).toEqual([]);
  });
});
