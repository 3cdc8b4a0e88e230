import type { Pool } from 'pg';
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
const overloaded = (): ScriptedReply => ({ kind: 'error', status: 529, retryAfterMs: 10 });

/** Generous bounds: a slow machine takes longer, only a defect never gets there. */
const WAIT = { timeoutMs: 60_000, intervalMs: 50 };
const TEST_TIMEOUT_MS = 180_000;

const ENGINE_ENV = {
  ANTHROPIC_API_KEY: 'test-key-that-is-long-enough',
  RETRY_BASE_DELAY_MS: '100',
  RETRY_MAX_DELAY_MS: '300',
  MAX_ATTEMPTS: '2',
  HOLDING_TEXT_AFTER_MS: '300',
  TURN_TIMEOUT_MS: '3000',
};

interface MessageRow {
  processing_state: string;
  attempts: number;
  charged_failures: number;
  last_error: string | null;
}

const message = async (pool: Pool, id: string) =>
  (
    await pool.query(`SELECT processing_state, attempts, charged_failures, last_error FROM messages WHERE id = $1`, [
      id,
    ])
  ).rows[0] as MessageRow;
const repliesTo = async (pool: Pool, id: string) =>
  (
    await pool.query(`SELECT content FROM messages WHERE reply_to_message_id = $1 ORDER BY sequence_index`, [id])
  ).rows.map((row) => row.content as string);
const holdingTexts = async (pool: Pool, user: SeededUser) =>
  (
    await pool.query(
      `SELECT final_message, status, agent_id FROM message_queue WHERE user_id = $1 AND subject = 'reply_delayed'`,
      [user.userId],
    )
  ).rows;

/**
 * Waits until the text has been tried at least `attempts` times or is dead, whichever comes first,
 * and returns its row: a text killed too early is reported as dead at once, not as a timeout.
 */
const afterAttempts = (pool: Pool, id: string, attempts: number) =>
  expectEventually(async () => {
    const row = await message(pool, id);
    if (row.processing_state !== 'dead') expect(row.attempts).toBeGreaterThanOrEqual(attempts);
    return row;
  }, WAIT);

/**
 * What a 529 storm far past MAX_ATTEMPTS must leave: the text alive, nothing charged, the reason
 * recorded, one holding text and no reply yet. The test with the outage budget switched off shows
 * that these checks fail when texts die under an outage.
 */
async function expectHeldThroughOutage(pool: Pool, user: SeededUser, id: string): Promise<void> {
  expect(await afterAttempts(pool, id, 6)).toMatchObject({
    processing_state: expect.stringMatching(/^(pending|processing)$/),
    charged_failures: 0,
    last_error: expect.stringMatching(/529|overloaded/i),
  });
  // One honest holding text for the whole outage, through the queue; no false "sorry" reply.
  const held = await holdingTexts(pool, user);
  expect(held).toHaveLength(1);
  // The message dispatcher may already have sent it under the user's budget and quiet hours.
  expect(held[0]).toMatchObject({ status: expect.stringMatching(/^(queued|sent)$/), agent_id: 'bouncer' });
  expect(held[0].final_message).toMatch(/technical problem/);
  expect(await repliesTo(pool, id)).toEqual([]);
}

/**
 * Outages are not the text's fault: a model that is down or refuses our key holds texts (with one
 * holding text per outage) and answers them after recovery; only a text that fails on its own dies.
 */
describe('model outages and configuration errors', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    service = await ServiceProcess.start(blackBoxEnv(db.url, model, ENGINE_ENV));
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await model?.stop();
    await db?.drop();
  });

  it(
    'an overloaded model (529) far past MAX_ATTEMPTS kills nothing, holds the user once, and the text is answered after recovery',
    async () => {
      model.reset();
      model.setResponder(overloaded);
      const user = await seedUser(db.pool);
      const [id] = await insertInbound(db.pool, user, ['hello?']);
      await expectHeldThroughOutage(db.pool, user, id);

      model.setResponder(healthyModel);
      await expectEventually(async () => expect((await message(db.pool, id)).processing_state).toBe('done'), WAIT);
      expect(await repliesTo(db.pool, id)).toEqual(['Who told you about us?']);
      expect(await holdingTexts(db.pool, user)).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a rejected key (401) never kills a text: the instance reports degraded and alerts once, and answers once the key works',
    async () => {
      model.reset();
      model.setResponder(() => ({ kind: 'error', status: 401, message: 'invalid x-api-key' }));
      const user = await seedUser(db.pool);
      const [id] = await insertInbound(db.pool, user, ['anyone there']);
      expect(await afterAttempts(db.pool, id, 5)).toMatchObject({
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
      expect(await holdingTexts(db.pool, user)).toHaveLength(1);

      model.setResponder(healthyModel);
      await expectEventually(async () => expect((await message(db.pool, id)).processing_state).toBe('done'), WAIT);
      expect(await repliesTo(db.pool, id)).toEqual(['Who told you about us?']);
      expect((await service.get('/health')).body).toMatchObject({ status: 'healthy', model: { status: 'ok' } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a text the model fails on by itself (unusable output every time) is dead after MAX_ATTEMPTS with one fallback',
    async () => {
      model.reset();
      model.setResponder(() => ({ kind: 'raw', status: 200, body: '{"not": "a message"' }));
      const user = await seedUser(db.pool);
      const [id] = await insertInbound(db.pool, user, ['break it']);
      // Far past MAX_ATTEMPTS (2): a text that was never charged would still be waiting here.
      expect(await afterAttempts(db.pool, id, 6)).toMatchObject({
        processing_state: 'dead',
        attempts: 2,
        charged_failures: 2,
      });
      const replies = await repliesTo(db.pool, id);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatch(/sorry/i);
      expect(await holdingTexts(db.pool, user)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * The proof that the checks above can fail, through a real setting instead of a broken build:
 * with no outage budget (MODEL_OUTAGE_BUDGET_MS=0) a text dies at the first 529, as every text did
 * before outages had a budget by time, and the 529 test's checks catch it.
 */
describe('model outages with the outage budget switched off', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    service = await ServiceProcess.start(blackBoxEnv(db.url, model, { ...ENGINE_ENV, MODEL_OUTAGE_BUDGET_MS: '0' }));
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await model?.stop();
    await db?.drop();
  });

  it(
    'a 529 storm makes the text dead with a false "sorry", and the checks of the 529 test fail on it',
    async () => {
      model.setResponder(overloaded);
      const user = await seedUser(db.pool);
      const [id] = await insertInbound(db.pool, user, ['hello?']);
      await expect(expectHeldThroughOutage(db.pool, user, id)).rejects.toThrow(/processing_state/);
      expect(await message(db.pool, id)).toMatchObject({ processing_state: 'dead', charged_failures: 0 });
      expect(await repliesTo(db.pool, id)).toEqual([
        expect.stringMatching(/^Sorry, I couldn't process your last message/),
      ]);
      expect(await holdingTexts(db.pool, user)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
