// Black-box: the built service on a test database and the Anthropic stand-in; every metric the
// on-call alerts read must move when its cause happens.
import type { AnthropicStandIn } from '../support/anthropic-stand-in';
import { healthyModel, startBlackBox } from '../support/black-box';
import type { TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import type { ServiceProcess } from '../support/service-process';
import { sampleValue } from './prometheus-text';

describe('/metrics (black-box)', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;
  let close: (() => Promise<void>) | undefined;

  const scrape = async (): Promise<string> => {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const value = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(), name, labels);
  const state = async (table: 'messages' | 'events', id: string) =>
    (await db.pool.query(`SELECT processing_state FROM ${table} WHERE id = $1`, [id])).rows[0]?.processing_state;

  beforeAll(async () => {
    ({ db, model, service, close } = await startBlackBox({
      RETRY_BASE_DELAY_MS: '50',
      MAX_ATTEMPTS: '2',
      LISTEN_PROBE_INTERVAL_MS: '200',
      FEED_RECONNECT_MIN_MS: '50',
      FEED_RECONNECT_MAX_MS: '200',
    }));
  });

  afterAll(async () => {
    await close?.();
  });

  it('exports the process metrics with the service prefix and the container limits the alerts divide by', async () => {
    const text = await scrape();
    expect(sampleValue(text, 'realtime_processor_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(text, 'realtime_processor_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(text, 'realtime_processor_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'realtime_processor_container_memory_limit_bytes')).toBeGreaterThan(0);
    expect(sampleValue(text, 'realtime_processor_container_cpu_limit')).toBeGreaterThan(0);
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeUndefined();
  });

  it('a turn moves the reply latency, the model calls, latency and tokens, and the second turn reads the cache', async () => {
    const repliesBefore = (await value('realtime_processor_reply_latency_seconds_count')) ?? 0;
    const callsBefore = (await value('realtime_processor_model_calls_total', { agent: 'bouncer', outcome: 'ok' })) ?? 0;
    const cacheReadBefore =
      (await value('realtime_processor_model_tokens_total', { agent: 'bouncer', type: 'cache_read' })) ?? 0;

    for (const text of ['hello', 'hi again']) {
      const user = await seedUser(db.pool);
      const [id] = await insertInbound(db.pool, user, [text]);
      await expectEventually(async () => expect(await state('messages', id)).toBe('done'));
    }

    const text = await scrape();
    // Two texts answered, each observed once; decide + render per turn.
    expect(sampleValue(text, 'realtime_processor_reply_latency_seconds_count')).toBe(repliesBefore + 2);
    expect(sampleValue(text, 'realtime_processor_reply_latency_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(text, 'realtime_processor_model_calls_total', { agent: 'bouncer', outcome: 'ok' })).toBe(
      callsBefore + 4,
    );
    expect(
      sampleValue(text, 'realtime_processor_model_latency_seconds_count', { agent: 'bouncer' }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      sampleValue(text, 'realtime_processor_model_tokens_total', { agent: 'bouncer', type: 'input' }),
    ).toBeGreaterThan(0);
    expect(
      sampleValue(text, 'realtime_processor_model_tokens_total', { agent: 'bouncer', type: 'output' }),
    ).toBeGreaterThan(0);
    expect(
      sampleValue(text, 'realtime_processor_model_tokens_total', { agent: 'bouncer', type: 'cache_write' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(text, 'realtime_processor_model_cost_usd_total', { agent: 'bouncer' })).toBeGreaterThan(0);
    // The second user's calls hit the static prefix the first user's calls wrote.
    expect(
      sampleValue(text, 'realtime_processor_model_tokens_total', { agent: 'bouncer', type: 'cache_read' }),
    ).toBeGreaterThan(cacheReadBefore);
  });

  it('a failing model is counted by outcome, and a dead message moves the dead letters and stays in them', async () => {
    // A request the API rejects as invalid fails the text itself (a 401 would only hold it: the key is the operator's).
    model.setResponder(() => ({ kind: 'error', status: 400, message: 'bad request' }));
    const deadBefore = (await value('realtime_processor_dead_letters', { kind: 'message' })) ?? 0;
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['anyone there']);
    await expectEventually(async () => expect(await state('messages', id)).toBe('dead'));
    model.setResponder(healthyModel);

    expect(await value('realtime_processor_model_calls_total', { agent: 'bouncer', outcome: 'rejected' })).toBe(2);
    expect(await value('realtime_processor_work_total', { kind: 'message', outcome: 'dead' })).toBe(1);
    await expectEventually(async () =>
      expect(await value('realtime_processor_dead_letters', { kind: 'message' })).toBe(deadBefore + 1),
    );
  });

  it('a dead event moves the event dead letters; an unhandled type is counted by type', async () => {
    // A handled type with a malformed payload is dead; a type nobody handles here stays untouched.
    await insertEvent(db.pool, 'user.verified', [1, 2, 3]);
    const unhandled = await insertEvent(db.pool, 'metrics.test.nobody_handles_this', { userId: 'x' });
    await expectEventually(async () =>
      expect(await value('realtime_processor_dead_letters', { kind: 'event' })).toBe(1),
    );
    await expectEventually(async () =>
      expect(
        await value('realtime_processor_events_unhandled_total', { event_type: 'metrics.test.nobody_handles_this' }),
      ).toBe(1),
    );
    expect(await state('events', unhandled)).toBe('pending');
  });

  it('the backlog reads pending work by kind with the age of the oldest, and queued texts by lane', async () => {
    const user = await seedUser(db.pool);
    // A text waiting out a retry delay, stored a minute ago: pending, not due.
    await db.pool.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, processing_state,
         next_attempt_at, created_at)
       VALUES ($1, $2, 'user', 'later', 'inbound', 'delivered', 'pending', now() + interval '5 minutes', now() - interval '60 seconds')`,
      [user.conversationId, user.userId],
    );
    // Holding the user's row keeps the dispatcher (which locks it NOWAIT) from sending the due text
    // meanwhile; NO KEY UPDATE, so the queue rows' foreign key check can still take its share lock.
    const lock = await db.pool.connect();
    await lock.query('BEGIN');
    await lock.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [user.userId]);
    await db.pool.query(
      `INSERT INTO message_queue (user_id, agent_id, final_message, priority, status, scheduled_for)
       VALUES ($1, 'concierge', 'news', 'high', 'queued', now() - interval '5 seconds'),
              ($1, 'concierge', 'later news', 'low', 'queued', now() + interval '1 day')`,
      [user.userId],
    );
    // Not ours: an event of a type nobody handles here is no backlog of this service.
    await insertEvent(db.pool, 'metrics.test.someone_elses', {});

    await expectEventually(async () => {
      const text = await scrape();
      expect(sampleValue(text, 'realtime_processor_backlog', { kind: 'event' })).toBe(0);
      expect(sampleValue(text, 'realtime_processor_backlog', { kind: 'message' })).toBe(1);
      expect(
        sampleValue(text, 'realtime_processor_backlog_oldest_seconds', { kind: 'message' }),
      ).toBeGreaterThanOrEqual(60);
      expect(sampleValue(text, 'realtime_processor_backlog', { kind: 'queue' })).toBe(1);
      expect(sampleValue(text, 'realtime_processor_backlog_oldest_seconds', { kind: 'queue' })).toBeGreaterThanOrEqual(
        5,
      );
      expect(sampleValue(text, 'realtime_processor_queue_depth', { priority: 'high' })).toBe(1);
      expect(sampleValue(text, 'realtime_processor_queue_depth', { priority: 'low' })).toBe(1);
      expect(sampleValue(text, 'realtime_processor_queue_depth', { priority: 'urgent' })).toBe(0);
    }).finally(async () => {
      await lock.query('ROLLBACK');
      lock.release();
    });
    await db.pool.query(`DELETE FROM message_queue WHERE user_id = $1`, [user.userId]);
    await db.pool.query(`UPDATE messages SET processing_state = 'done' WHERE user_id = $1`, [user.userId]);
    await expectEventually(async () => {
      expect(await value('realtime_processor_backlog', { kind: 'message' })).toBe(0);
      expect(await value('realtime_processor_backlog_oldest_seconds', { kind: 'message' })).toBe(0);
    });
  });

  it('counts each queued text the dispatcher decides, by lane and outcome', async () => {
    const user = await seedUser(db.pool);
    await db.pool.query(`UPDATE users SET opted_out_at = now() WHERE id = $1`, [user.userId]);
    await db.pool.query(
      `INSERT INTO message_queue (user_id, agent_id, final_message, priority, status, scheduled_for)
       VALUES ($1, 'concierge', 'news for someone who opted out', 'urgent', 'queued', now())`,
      [user.userId],
    );
    await expectEventually(async () =>
      expect(await value('realtime_processor_queue_sent_total', { priority: 'urgent', outcome: 'cancelled' })).toBe(1),
    );
  });

  it('a lost LISTEN connection shows the subscriptions down, then up again with a reconnect counted', async () => {
    for (const channel of ['user-messages', 'agent-events']) {
      expect(await value('realtime_processor_subscription_up', { channel })).toBe(1);
      expect(await value('realtime_processor_subscription_reconnects_total', { channel })).toBe(0);
    }
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'realtime-processor-listen'`,
    );
    await expectEventually(async () => {
      for (const channel of ['user-messages', 'agent-events']) {
        expect(await value('realtime_processor_subscription_reconnects_total', { channel })).toBe(1);
        expect(await value('realtime_processor_subscription_up', { channel })).toBe(1);
      }
    });
  });
});
