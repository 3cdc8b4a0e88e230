import type { INestApplication } from '@nestjs/common';
import { CatchUpSweep } from '../../src/realtime/catch-up.sweep';
import { EVENT_HANDLERS, type EventHandler, type StoredEvent } from '../../src/routing/event-handler';
import { ProcessingStats } from '../../src/routing/processing-stats';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent } from '../support/seed';
import { startTestApp } from '../support/test-app';

const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 200;

/** Workload for the engine: handlers that fail on purpose, recording when they ran. */
class FlakyHandler implements EventHandler {
  readonly eventType = 'test.flaky';
  readonly calls = new Map<string, number[]>();
  handle(event: StoredEvent) {
    const times = this.calls.get(event.id) ?? [];
    times.push(Date.now());
    this.calls.set(event.id, times);
    if (times.length <= 2) return Promise.reject(new Error(`flaky failure ${times.length}`));
    return Promise.resolve({
      actions: [],
      events: [
        {
          event_type: 'test.follow_up',
          aggregate_id: null,
          aggregate_type: null,
          payload: { from: event.id },
          created_by: 'test',
        },
      ],
      logs: [],
    });
  }
}
class BrokenHandler implements EventHandler {
  readonly eventType = 'test.broken';
  handle(): Promise<never> {
    return Promise.reject(new Error('handler always fails'));
  }
}
/** Ordered by aggregate: records when each event started and finished its (simulated) work. */
class OrderedHandler implements EventHandler {
  readonly eventType = 'test.ordered';
  readonly orderedByAggregate = true;
  readonly runs: Array<{ aggregate: string | null; seq: number; start: number; end: number }> = [];
  async handle(event: StoredEvent) {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 15)); // work that takes a little while
    this.runs.push({ aggregate: event.aggregateId, seq: event.payload.seq as number, start, end: performance.now() });
    return { actions: [], events: [], logs: [] };
  }
}
class BlockingHandler implements EventHandler {
  readonly eventType = 'test.blocking';
  started = 0;
  handle(_event: StoredEvent, { signal }: { signal: AbortSignal }): Promise<never> {
    this.started += 1;
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  }
}

describe('event processing', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const flaky = new FlakyHandler();
  const blocking = new BlockingHandler();
  const ordered = new OrderedHandler();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      {
        DATABASE_URL: db.url,
        MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        RETRY_BASE_DELAY_MS: String(BASE_DELAY_MS),
        SWEEP_INTERVAL_MS: '100',
        SHUTDOWN_DRAIN_MS: '300',
        TURN_TIMEOUT_MS: '60000',
      },
      (builder) => builder.overrideProvider(EVENT_HANDLERS).useValue([flaky, new BrokenHandler(), blocking, ordered]),
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const eventRow = async (id: string) =>
    (
      await db.pool.query(
        `SELECT processing_state, processed, attempts, last_error, outcome FROM events WHERE id = $1`,
        [id],
      )
    ).rows[0];

  it('retries a failing handler with growing backoff and commits its effects once it succeeds', async () => {
    const id = await insertEvent(db.pool, 'test.flaky', { n: 1 });
    await expectEventually(async () =>
      expect(await eventRow(id)).toMatchObject({
        processing_state: 'done',
        processed: true,
        attempts: 3,
        last_error: null,
        outcome: 'handled',
      }),
    );
    const [first, second, third] = flaky.calls.get(id)!;
    // Delays are jittered within [d/2, d]: at least 100 ms, then at least 200 ms.
    expect(second - first).toBeGreaterThanOrEqual(BASE_DELAY_MS / 2);
    expect(third - second).toBeGreaterThanOrEqual(BASE_DELAY_MS);
    const followUps = await db.pool.query(`SELECT payload FROM events WHERE event_type = 'test.follow_up'`);
    expect(followUps.rows).toEqual([{ payload: { from: id } }]);
  });

  it('dead-letters an event that fails on every attempt, keeping its error', async () => {
    const id = await insertEvent(db.pool, 'test.broken', { important: true });
    await expectEventually(async () =>
      expect(await eventRow(id)).toMatchObject({
        processing_state: 'dead',
        attempts: MAX_ATTEMPTS,
        last_error: 'handler always fails',
      }),
    );
    const letters = await db.pool.query(
      `SELECT event_type, payload, error_message, retry_count FROM event_dead_letters WHERE event_id = $1`,
      [id],
    );
    expect(letters.rows).toEqual([
      {
        event_type: 'test.broken',
        payload: { important: true },
        error_message: 'handler always fails',
        retry_count: MAX_ATTEMPTS,
      },
    ]);
    expect((await eventRow(id)).processed).toBe(false);
  });

  it('leaves an event type without a handler untouched after sweeps, counting it on /metrics by type', async () => {
    const id = await insertEvent(db.pool, 'nobody.handles.this', {});
    const handled = await insertEvent(db.pool, 'test.flaky', { n: 2 });
    await expectEventually(async () => expect(await eventRow(handled)).toMatchObject({ processing_state: 'done' }), {
      timeoutMs: 60_000,
    });
    const sweep = app.get(CatchUpSweep);
    sweep.request('test');
    await sweep.idle();
    expect(await eventRow(id)).toMatchObject({
      processing_state: 'pending',
      processed: false,
      attempts: 0,
      outcome: null,
    });
    await expectEventually(async () =>
      // Noticed once (its insert's wake-up); sweeps never bring it back.
      expect(await app.get(ProcessingStats).registry.metrics()).toMatch(
        /^realtime_processor_events_unhandled_total\{event_type="nobody\.handles\.this"\} 1$/m,
      ),
    );
  });

  it('dead-letters a malformed event at once with the reason', async () => {
    const id = await insertEvent(db.pool, 'test.flaky', [1, 2, 3]);
    await expectEventually(async () =>
      expect(await eventRow(id)).toMatchObject({
        processing_state: 'dead',
        last_error: 'malformed event: payload is not a JSON object',
      }),
    );
    expect(flaky.calls.has(id)).toBe(false);
  });

  it('handles events of an ordered type one at a time per aggregate, oldest first', async () => {
    const aggregates = ['6b0f5d1e-0000-4000-8000-000000000001', '6b0f5d1e-0000-4000-8000-000000000002'];
    const client = await db.pool.connect();
    await client.query('BEGIN');
    for (let seq = 0; seq < 6; seq += 1) {
      for (const aggregate of aggregates) {
        await client.query(
          `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_at)
           VALUES ('test.ordered', $1, 'intro', $2, clock_timestamp())`,
          [aggregate, { seq }],
        );
      }
    }
    await client.query('COMMIT');
    client.release();
    await expectEventually(() => expect(ordered.runs).toHaveLength(12), { timeoutMs: 60_000 });
    for (const aggregate of aggregates) {
      const runs = ordered.runs.filter((run) => run.aggregate === aggregate);
      expect(runs.map((run) => run.seq)).toEqual([0, 1, 2, 3, 4, 5]);
      for (let i = 1; i < runs.length; i += 1) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
    }
  });

  it('on shutdown aborts work past the drain budget and releases it untouched for another instance', async () => {
    const id = await insertEvent(db.pool, 'test.blocking', {});
    await expectEventually(() => expect(blocking.started).toBe(1));
    await app.close();
    expect(await eventRow(id)).toMatchObject({ processing_state: 'pending', attempts: 0 });
    const claims = await db.pool.query(`SELECT count(*)::int AS n FROM processing_claims`);
    expect(claims.rows[0].n).toBe(0);
  });
});
