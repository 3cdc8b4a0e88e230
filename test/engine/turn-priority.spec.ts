import type { INestApplication } from '@nestjs/common';
import { EVENT_HANDLERS, type EventHandler, type EventOutcome } from '../../src/routing/event-handler';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

const BACKLOG = 40;

const DONE: EventOutcome = { actions: [], events: [], logs: [] };

/**
 * Event work that holds its slot until the test lets it go, one event at a time. After
 * `releaseAll` nothing is held any more, so the shutdown's drain can finish the backlog.
 */
class HeldHandler implements EventHandler {
  readonly eventType = 'test.held';
  started = 0;
  private releases: Array<() => void> = [];
  private holding = true;
  handle() {
    this.started += 1;
    if (!this.holding) return Promise.resolve(DONE);
    return new Promise<EventOutcome>((resolve) => this.releases.push(() => resolve(DONE)));
  }
  releaseOne(): void {
    this.releases.shift()?.();
  }
  releaseAll(): void {
    this.holding = false;
    for (const release of this.releases.splice(0)) release();
  }
}

/**
 * One slot, an event backlog in front of it, then a text: with user turns first, the text is the
 * next work to start when the running event finishes, long before the backlog drains.
 */
describe('user turns before an event backlog', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const held = new HeldHandler();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      { DATABASE_URL: db.url, MAX_CONCURRENCY: '1', SWEEP_INTERVAL_MS: '100', TURN_TIMEOUT_MS: '60000' },
      (builder) => builder.overrideProvider(EVENT_HANDLERS).useValue([held]),
    );
  });

  afterAll(async () => {
    held.releaseAll();
    await app?.close();
    await db?.drop();
  });

  const pendingEvents = async () =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM events WHERE processing_state <> 'done'`)).rows[0].n;

  it('claims and answers a text before the queued events, with the backlog still waiting', async () => {
    await db.pool.query(
      `INSERT INTO events (event_type, payload, created_by)
       SELECT 'test.held', jsonb_build_object('n', g), 'test' FROM generate_series(1, $1) g`,
      [BACKLOG],
    );
    // The one slot is taken by an event; the rest of the backlog waits behind it.
    await expectEventually(() => expect(held.started).toBe(1));
    const user = await seedUser(db.pool);
    const [textId] = await insertInbound(db.pool, user, ['hello, is anyone there?']);
    const textDone = async () =>
      (await db.pool.query(`SELECT processing_state FROM messages WHERE id = $1`, [textId])).rows[0]
        .processing_state === 'done';
    // Free the slot one event at a time; each time, the next work starts: the text or another event.
    for (let released = 0; released < BACKLOG && !(await textDone()); released += 1) {
      const before = held.started;
      held.releaseOne();
      await expectEventually(async () => expect(held.started > before || (await textDone())).toBe(true));
    }
    expect(await textDone()).toBe(true);
    const reply = await db.pool.query(
      `SELECT count(*)::int AS n FROM messages WHERE reply_to_message_id = $1 AND direction = 'outbound'`,
      [textId],
    );
    expect(reply.rows[0].n).toBeGreaterThan(0);
    // The text went ahead of the backlog: besides the event that held the slot when it arrived, at
    // most one started before its wake-up was in (and one after its turn), none of the rest.
    expect(held.started).toBeLessThanOrEqual(3);
    expect(await pendingEvents()).toBeGreaterThanOrEqual(BACKLOG - 3);
  });
});
