import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../support/anthropic-stand-in';
import { blackBoxEnv } from '../support/black-box';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const healthyModel = (request: RecordedRequest): ScriptedReply =>
  (request.body as { tools?: unknown[] }).tools
    ? { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } }
    : { kind: 'text', text: 'Who told you about us?' };

/**
 * Outages are not the text's fault: a model that is down or refuses our key holds texts (with one
 * holding text per outage) and answers them after recovery; only a text that fails on its own dies.
 */
describe('model outages and configuration errors', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;

  const message = async (id: string) =>
    (
      await db.pool.query(
        `SELECT processing_state, attempts, charged_failures, last_error FROM messages WHERE id = $1`,
        [id],
      )
    ).rows[0] as { processing_state: string; attempts: number; charged_failures: number; last_error: string | null };
  const repliesTo = async (id: string) =>
    (
      await db.pool.query(`SELECT content FROM messages WHERE reply_to_message_id = $1 ORDER BY sequence_index`, [id])
    ).rows.map((row) => row.content as string);
  const holdingTexts = async (user: SeededUser) =>
    (
      await db.pool.query(
        `SELECT final_message, status, agent_id FROM message_queue WHERE user_id = $1 AND subject = 'reply_delayed'`,
        [user.userId],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    service = await ServiceProcess.start(
      blackBoxEnv(db.url, model, {
        ANTHROPIC_API_KEY: 'test-key-that-is-long-enough',
        RETRY_BASE_DELAY_MS: '100',
        RETRY_MAX_DELAY_MS: '300',
        MAX_ATTEMPTS: '2',
        HOLDING_TEXT_AFTER_MS: '300',
        TURN_TIMEOUT_MS: '3000',
      }),
    );
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await model?.stop();
    await db?.drop();
  });

  it('an overloaded model (529) far past MAX_ATTEMPTS kills nothing, holds the user once, and the text is answered after recovery', async () => {
    model.reset();
    model.setResponder(() => ({ kind: 'error', status: 529, retryAfterMs: 10 }));
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hello?']);
    await expectEventually(async () => expect((await message(id)).attempts).toBeGreaterThanOrEqual(6), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect(await message(id)).toMatchObject({
      processing_state: expect.stringMatching(/^(pending|processing)$/),
      charged_failures: 0,
    });
    expect((await message(id)).last_error).toMatch(/529|overloaded/i);
    // One honest holding text for the whole outage, through the queue; no false "sorry" reply.
    const held = await holdingTexts(user);
    expect(held).toHaveLength(1);
    // The message dispatcher may already have sent it under the user's budget and quiet hours.
    expect(held[0]).toMatchObject({ status: expect.stringMatching(/^(queued|sent)$/), agent_id: 'bouncer' });
    expect(held[0].final_message).toMatch(/technical problem/);
    expect(await repliesTo(id)).toEqual([]);

    model.setResponder(healthyModel);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('done'), {
      timeoutMs: 15_000,
    });
    expect(await repliesTo(id)).toEqual(['Who told you about us?']);
    expect(await holdingTexts(user)).toHaveLength(1);
  });

  it('a rejected key (401) never kills a text: the instance reports degraded and alerts once, and answers once the key works', async () => {
    model.reset();
    model.setResponder(() => ({ kind: 'error', status: 401, message: 'invalid x-api-key' }));
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['anyone there']);
    await expectEventually(async () => expect((await message(id)).attempts).toBeGreaterThanOrEqual(5), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect(await message(id)).toMatchObject({
      processing_state: expect.stringMatching(/^(pending|processing)$/),
      charged_failures: 0,
    });
    const health = await service.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', model: { status: 'failing' } });
    expect(String((health.body.model as { error: string }).error)).toMatch(/401/);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/realtime_processor_model_config_failing 1/);
    expect(service.logs().filter((line) => line.event === 'model_config_error')).toHaveLength(1);
    expect(await holdingTexts(user)).toHaveLength(1);

    model.setResponder(healthyModel);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('done'), {
      timeoutMs: 15_000,
    });
    expect(await repliesTo(id)).toEqual(['Who told you about us?']);
    expect((await service.get('/health')).body).toMatchObject({ status: 'healthy', model: { status: 'ok' } });
  });

  it('a text the model fails on by itself (unusable output every time) is dead after MAX_ATTEMPTS with one fallback', async () => {
    model.reset();
    model.setResponder(() => ({ kind: 'raw', status: 200, body: '{"not": "a message"' }));
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['break it']);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('dead'), {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    expect(await message(id)).toMatchObject({ attempts: 2, charged_failures: 2 });
    const replies = await repliesTo(id);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/sorry/i);
    expect(await holdingTexts(user)).toEqual([]);
  });
});
