import type { INestApplication } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { ModelRequestRejectedError, ModelUnavailableError } from '../../src/agents/model/model.errors';
import { EVENT_HANDLERS, type EventHandler, type StoredEvent } from '../../src/routing/event-handler';
import { EventRepository, type ClaimedEvent } from '../../src/routing/event.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent } from '../support/seed';
import { startTestApp } from '../support/test-app';
import { repositoryModule } from './repository-module';

const HOUR = 3_600_000;
const MAX_ATTEMPTS = 2;

/** A database connection refused mid-handler, as pg reports it. */
function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/**
 * Events are sorted by whose fault a failure is, like texts: an outage (database or model) or a
 * configuration error never dead-letters an event; only an event failing on its own does. The
 * clock of the outage budget is moved by moving `first_failed_at` back.
 */
describe('event failures during outages', () => {
  describe('the retry budget of an event, by time', () => {
    let db: TestDatabase;
    let moduleRef: TestingModule;
    let events: EventRepository;

    beforeAll(async () => {
      db = await createTestDatabase();
      moduleRef = await repositoryModule(db.url);
      events = moduleRef.get(EventRepository);
    });

    afterAll(async () => {
      await moduleRef?.close();
      await db?.drop();
    });

    async function claim(id: string): Promise<ClaimedEvent> {
      await db.pool.query(`UPDATE events SET next_attempt_at = NULL WHERE id = $1`, [id]);
      const outcome = await events.claim(id, 'worker-a', 60_000);
      if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
      return outcome.claimed;
    }
    const failingSince = (id: string, ms: number) =>
      db.pool.query(`UPDATE events SET first_failed_at = now() - $2 * interval '1 millisecond' WHERE id = $1`, [
        id,
        ms,
      ]);
    const row = async (id: string) =>
      (
        await db.pool.query(
          `SELECT processing_state, charged_failures,
                  (SELECT count(*)::int FROM event_dead_letters d WHERE d.event_id = events.id) AS letters
           FROM events WHERE id = $1`,
          [id],
        )
      ).rows[0];
    const outage = { kind: 'outage' as const, outageBudgetMs: HOUR };

    it('an outage shorter than the budget keeps the event, however many attempts it took', async () => {
      const id = await insertEvent(db.pool, 'test.outage', {});
      for (let attempt = 0; attempt < 12; attempt += 1) {
        expect(await events.fail(await claim(id), 'overloaded', MAX_ATTEMPTS, 10, outage)).toBe('retry');
      }
      await failingSince(id, HOUR - 60_000);
      expect(await events.fail(await claim(id), 'overloaded', MAX_ATTEMPTS, 10, outage)).toBe('retry');
      expect(await row(id)).toEqual({ processing_state: 'pending', charged_failures: 0, letters: 0 });
    });

    it('an event still failing after the whole budget is dead-lettered', async () => {
      const id = await insertEvent(db.pool, 'test.outage', {});
      await events.fail(await claim(id), 'overloaded', MAX_ATTEMPTS, 10, outage);
      await failingSince(id, HOUR + 1000);
      expect(await events.fail(await claim(id), 'overloaded', MAX_ATTEMPTS, 10, outage)).toBe('dead');
      expect(await row(id)).toEqual({ processing_state: 'dead', charged_failures: 0, letters: 1 });
    });

    it('a configuration error never dead-letters an event', async () => {
      const id = await insertEvent(db.pool, 'test.outage', {});
      for (let attempt = 0; attempt < 4; attempt += 1) {
        expect(await events.fail(await claim(id), '401', MAX_ATTEMPTS, 10, { kind: 'config' })).toBe('retry');
      }
      await failingSince(id, 100 * HOUR);
      expect(await events.fail(await claim(id), '401', MAX_ATTEMPTS, 10, { kind: 'config' })).toBe('retry');
      expect(await row(id)).toEqual({ processing_state: 'pending', charged_failures: 0, letters: 0 });
    });

    it('failures of the event itself are charged: dead after MAX_ATTEMPTS, outages in between not counted', async () => {
      const id = await insertEvent(db.pool, 'test.outage', {});
      expect(await events.fail(await claim(id), 'bug', MAX_ATTEMPTS, 10, { kind: 'own' })).toBe('retry');
      expect(await events.fail(await claim(id), 'overloaded', MAX_ATTEMPTS, 10, outage)).toBe('retry');
      expect(await events.fail(await claim(id), 'bug', MAX_ATTEMPTS, 10, { kind: 'own' })).toBe('dead');
      expect(await row(id)).toEqual({ processing_state: 'dead', charged_failures: 2, letters: 1 });
    });
  });

  describe('the engine', () => {
    /** Fails its first `failures` calls per event with the error the payload names, then succeeds. */
    class OutageHandler implements EventHandler {
      readonly eventType = 'test.outage';
      readonly calls = new Map<string, number>();
      handle(event: StoredEvent) {
        const calls = (this.calls.get(event.id) ?? 0) + 1;
        this.calls.set(event.id, calls);
        if (calls <= (event.payload.failures as number)) {
          switch (event.payload.error) {
            case 'overloaded':
              return Promise.reject(new ModelUnavailableError('Anthropic API answered 529: overloaded', 529));
            case 'database':
              return Promise.reject(connectionRefused());
            case 'unauthorized':
              return Promise.reject(new ModelRequestRejectedError('Anthropic API answered 401', 401));
            default:
              return Promise.reject(new Error('handler bug'));
          }
        }
        return Promise.resolve({ actions: [], events: [], logs: [] });
      }
    }

    let db: TestDatabase;
    let app: INestApplication;
    const handler = new OutageHandler();

    beforeAll(async () => {
      db = await createTestDatabase();
      app = await startTestApp(
        {
          DATABASE_URL: db.url,
          MAX_ATTEMPTS: String(MAX_ATTEMPTS),
          RETRY_BASE_DELAY_MS: '20',
          RETRY_MAX_DELAY_MS: '80',
          SWEEP_INTERVAL_MS: '100',
        },
        (builder) => builder.overrideProvider(EVENT_HANDLERS).useValue([handler]),
      );
    });

    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    const eventRow = async (id: string) =>
      (
        await db.pool.query(
          `SELECT processing_state, charged_failures, outcome,
                  (SELECT count(*)::int FROM event_dead_letters d WHERE d.event_id = events.id) AS letters
           FROM events WHERE id = $1`,
          [id],
        )
      ).rows[0];

    it.each(['overloaded', 'database', 'unauthorized'])(
      'an event failing on a %s outage far past MAX_ATTEMPTS is handled once it ends, never dead-lettered',
      async (error) => {
        const id = await insertEvent(db.pool, 'test.outage', { error, failures: 4 * MAX_ATTEMPTS });
        await expectEventually(async () =>
          expect(await eventRow(id)).toEqual({
            processing_state: 'done',
            charged_failures: 0,
            outcome: 'handled',
            letters: 0,
          }),
        );
        expect(handler.calls.get(id)).toBe(4 * MAX_ATTEMPTS + 1);
      },
    );

    it('an event failing on its own every time on healthy infrastructure is dead after MAX_ATTEMPTS', async () => {
      const id = await insertEvent(db.pool, 'test.outage', { error: 'bug', failures: 100 });
      await expectEventually(async () =>
        expect(await eventRow(id)).toEqual({
          processing_state: 'dead',
          charged_failures: MAX_ATTEMPTS,
          outcome: 'dead',
          letters: 1,
        }),
      );
      expect(handler.calls.get(id)).toBe(MAX_ATTEMPTS);
    });
  });
});
