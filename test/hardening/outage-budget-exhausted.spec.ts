import type { INestApplication } from '@nestjs/common';
import { ModelUnavailableError } from '../../src/agents/model/model.errors';
import { EVENT_HANDLERS, type EventHandler, type StoredEvent } from '../../src/routing/event-handler';
import { sampleValue } from '../ops/prometheus-text';
import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

/** Fails every attempt: on an outage (529) or on its own (a bug), as the payload says. */
class FailingHandler implements EventHandler {
  readonly eventType = 'test.failing';
  handle(event: StoredEvent) {
    return Promise.reject(
      event.payload.error === 'overloaded'
        ? new ModelUnavailableError('Anthropic API answered 529: overloaded', 529)
        : new Error('handler bug'),
    );
  }
}

/**
 * An item that waited out the whole outage budget is not one that failed on every attempt: it is
 * dead as `outage_budget_exhausted`, on /metrics (read over HTTP) and in its stored error, for
 * events (and their dead letter) and for texts alike. A short budget stands for the hour.
 */
describe('dead after the outage budget', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    model.setResponder(() => ({ kind: 'error', status: 529, retryAfterMs: 10 }));
    app = await startTestApp(
      {
        DATABASE_URL: db.url,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: model.baseURL,
        MODEL_OUTAGE_BUDGET_MS: '600',
        MAX_ATTEMPTS: '2',
        RETRY_BASE_DELAY_MS: '20',
        RETRY_MAX_DELAY_MS: '100',
        SWEEP_INTERVAL_MS: '100',
      },
      (builder) => builder.overrideProvider(EVENT_HANDLERS).useValue([new FailingHandler()]),
    );
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await model?.stop();
    await db?.drop();
  });

  const dead = (kind: string, reason: string) =>
    fetch(`${url}/metrics`)
      .then((response) => response.text())
      .then((text) => sampleValue(text, 'realtime_processor_dead_total', { kind, reason }) ?? 0);
  const deadEvent = (id: string) =>
    expectEventually(
      async () => {
        const rows = await db.pool.query<{ processing_state: string; last_error: string; letter: string | null }>(
          `SELECT processing_state, last_error,
                  (SELECT error_message FROM event_dead_letters d WHERE d.event_id = events.id) AS letter
           FROM events WHERE id = $1`,
          [id],
        );
        expect(rows.rows[0].processing_state).toBe('dead');
        return rows.rows[0];
      },
      { timeoutMs: 60_000 },
    );

  it('an event failing on an outage past the budget is dead as outage_budget_exhausted, not failed_every_attempt', async () => {
    const id = await insertEvent(db.pool, 'test.failing', { error: 'overloaded' });
    const row = await deadEvent(id);
    expect(row.last_error).toBe('outage budget exhausted: Anthropic API answered 529: overloaded');
    expect(row.letter).toBe(row.last_error);
    expect(await dead('event', 'outage_budget_exhausted')).toBe(1);
    expect(await dead('event', 'failed_every_attempt')).toBe(0);
  });

  it('an event failing on its own is still failed_every_attempt, its error as it was', async () => {
    const id = await insertEvent(db.pool, 'test.failing', { error: 'bug' });
    const row = await deadEvent(id);
    expect(row).toMatchObject({ last_error: 'handler bug', letter: 'handler bug' });
    expect(await dead('event', 'failed_every_attempt')).toBe(1);
    expect(await dead('event', 'outage_budget_exhausted')).toBe(1);
  });

  it('a text failing on a model outage past the budget is reported the same way', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hello?']);
    const row = await expectEventually(
      async () => {
        const rows = await db.pool.query<{ processing_state: string; last_error: string }>(
          `SELECT processing_state, last_error FROM messages WHERE id = $1`,
          [id],
        );
        expect(rows.rows[0].processing_state).toBe('dead');
        return rows.rows[0];
      },
      { timeoutMs: 60_000 },
    );
    expect(row.last_error).toMatch(/^outage budget exhausted: .*529/);
    expect(await dead('message', 'outage_budget_exhausted')).toBe(1);
    expect(await dead('message', 'failed_every_attempt')).toBe(0);
  });
});
