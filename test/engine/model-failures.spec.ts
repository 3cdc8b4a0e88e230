import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../support/anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const healthyModel = (request: RecordedRequest): ScriptedReply =>
  (request.body as { tools?: unknown[] }).tools
    ? { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } }
    : { kind: 'text', text: 'Who told you about us?' };

/** The model misbehaving: retries spread out, a slow model is cut off and retried, a dead one ends in one fallback. */
describe('model outages and slowness', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;

  const message = async (id: string) =>
    (await db.pool.query(`SELECT processing_state, attempts, last_error FROM messages WHERE id = $1`, [id])).rows[0];
  const repliesTo = async (id: string) =>
    (
      await db.pool.query(`SELECT content FROM messages WHERE reply_to_message_id = $1 ORDER BY sequence_index`, [id])
    ).rows.map((row) => row.content as string);

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.baseURL,
      SWEEP_INTERVAL_MS: '200',
      RETRY_BASE_DELAY_MS: '1000',
      MAX_ATTEMPTS: '3',
      TURN_TIMEOUT_MS: '1500',
      // Outages are not charged to MAX_ATTEMPTS: a text dies only once it has failed this long.
      MODEL_OUTAGE_BUDGET_MS: '2500',
    });
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await model?.stop();
    await db?.drop();
  });

  it('an overloaded model (529) does not burn the attempts in seconds, and the text is answered once it recovers', async () => {
    model.reset();
    model.setResponder(() => ({ kind: 'error', status: 529, retryAfterMs: 10 }));
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hello']);
    await expectEventually(
      async () => expect(await message(id)).toMatchObject({ attempts: 2, processing_state: 'pending' }),
      {
        timeoutMs: 60_000,
      },
    );
    expect((await message(id)).last_error).toMatch(/overloaded|529|unavailable/i);

    // Each attempt is one quick SDK retry pair; attempts themselves are spread by the engine's
    // backoff (base 1 s with jitter: at least 500 ms apart), not fired back to back.
    const times = model.requests.map((request) => request.receivedAt);
    const attemptStarts = times.filter((at, index) => index === 0 || at - times[index - 1] > 300);
    expect(attemptStarts).toHaveLength(2);
    expect(attemptStarts[1] - attemptStarts[0]).toBeGreaterThanOrEqual(500);

    model.setResponder(healthyModel);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('done'), {
      timeoutMs: 60_000,
    });
    expect(await repliesTo(id)).toEqual(['Who told you about us?']);
  });

  it('a model slower than the turn timeout is cut off and retried later', async () => {
    let slowCalls = 0;
    model.setResponder((request) => {
      if (slowCalls < 1) {
        slowCalls += 1;
        return { kind: 'slow', delayMs: 5000, then: healthyModel(request) };
      }
      return healthyModel(request);
    });
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hi']);
    await expectEventually(
      async () => expect(await message(id)).toMatchObject({ processing_state: 'done', attempts: 2 }),
      { timeoutMs: 60_000 },
    );
    expect(await repliesTo(id)).toHaveLength(1);
  });

  it('a model that never recovers within the outage budget ends the text dead with its error and one fallback text', async () => {
    model.setResponder(() => ({ kind: 'error', status: 500, retryAfterMs: 10 }));
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['are you there']);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('dead'), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    // Past MAX_ATTEMPTS (3): the outage budget, not the attempt count, ended it.
    expect((await message(id)).attempts).toBeGreaterThanOrEqual(2);
    expect(
      (
        await db.pool.query(
          `SELECT now() - first_failed_at >= interval '2.5 seconds' AS spent FROM messages WHERE id = $1`,
          [id],
        )
      ).rows[0].spent,
    ).toBe(true);
    const replies = await repliesTo(id);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/sorry/i);
    expect(service.logs().some((line) => line.event === 'message_dead' && line.level === 'error')).toBe(true);
  });
});
