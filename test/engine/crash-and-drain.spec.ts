import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../support/anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';
import { installTurnAudit } from '../support/turn-audit';

const MODEL_DELAY_MS = 700;

/** A model that takes its time: a decision through the tool, then prose. */
function slowModel(request: RecordedRequest): ScriptedReply {
  const body = request.body as { tools?: unknown[] };
  const answer: ScriptedReply = body.tools
    ? { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } }
    : { kind: 'text', text: 'Who told you about us?' };
  return { kind: 'slow', delayMs: MODEL_DELAY_MS, then: answer };
}

/** Two instances sharing work while one of them is killed or stopped in the middle of turns. */
describe('instances that die or stop mid-turn', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  const started: ServiceProcess[] = [];

  const start = async (name: string, env: Record<string, string> = {}) => {
    const service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.baseURL,
      INSTANCE_ID: name,
      SWEEP_INTERVAL_MS: '250',
      MAX_CONCURRENCY: '4',
      ...env,
    });
    started.push(service);
    await service.waitUntilHealthy();
    return service;
  };
  const unfinished = async () =>
    (
      await db.pool.query(
        `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
      )
    ).rows[0].n;
  const claimsOf = async (owner: string) =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM processing_claims WHERE owner = $1`, [owner])).rows[0].n;
  const doneTwice = async () =>
    (
      await db.pool.query(
        `SELECT message_id FROM test_turn_audit WHERE transition = 'done' GROUP BY message_id HAVING count(*) > 1`,
      )
    ).rows;

  beforeEach(async () => {
    db = await createTestDatabase();
    await installTurnAudit(db.pool);
    model = await AnthropicStandIn.start();
    model.setResponder(slowModel);
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.stop('SIGKILL')));
    await model.stop();
    await db.drop();
  });

  it('after a SIGKILL the survivor finishes the dead instance’s turns once its leases expire, with no duplicate reply', async () => {
    const victim = await start('victim', { CLAIM_LEASE_MS: '2000' });
    const users = await Promise.all(Array.from({ length: 8 }, () => seedUser(db.pool)));
    for (const user of users) await insertInbound(db.pool, user, ['hello']);
    await expectEventually(async () => expect(await claimsOf('victim')).toBeGreaterThan(0));
    await victim.stop('SIGKILL');
    const inFlightAtDeath = await claimsOf('victim');
    expect(inFlightAtDeath).toBeGreaterThan(0);

    await start('survivor', { CLAIM_LEASE_MS: '2000' });
    await expectEventually(async () => expect(await unfinished()).toBe(0), { timeoutMs: 30_000, intervalMs: 100 });
    expect(await doneTwice()).toEqual([]);
    const replies = await db.pool.query(
      `SELECT reply_to_message_id, count(*)::int AS texts FROM messages WHERE direction = 'outbound' GROUP BY 1`,
    );
    expect(replies.rows).toHaveLength(users.length);
    expect(replies.rows.every((row) => row.texts === 1)).toBe(true);
    // The killed turns were retried, so they count a second attempt; nothing died.
    const attempts = await db.pool.query(
      `SELECT max(attempts)::int AS max, count(*) FILTER (WHERE processing_state = 'dead')::int AS dead FROM messages WHERE direction = 'inbound'`,
    );
    expect(attempts.rows[0]).toEqual({ max: 2, dead: 0 });
  });

  it('on SIGTERM under load exits 0 within the drain budget and hands unfinished turns over at once', async () => {
    // A long lease: if the stopping instance did not release its turns, they would sit for 60 s.
    const env = { CLAIM_LEASE_MS: '60000', SHUTDOWN_DRAIN_MS: '300' };
    const stopping = await start('stopping', env);
    await start('staying', env);
    const users = await Promise.all(Array.from({ length: 16 }, () => seedUser(db.pool)));
    for (const user of users) await insertInbound(db.pool, user, ['hi', 'anyone there?']);
    await expectEventually(async () => expect(await claimsOf('stopping')).toBeGreaterThan(0));

    const signalled = Date.now();
    const exit = await stopping.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(await claimsOf('stopping')).toBe(0);

    await expectEventually(async () => expect(await unfinished()).toBe(0), { timeoutMs: 60_000, intervalMs: 100 });
    expect(await doneTwice()).toEqual([]);
    const turns = await db.pool.query(
      `SELECT count(DISTINCT reply_to_message_id)::int AS n FROM messages WHERE direction = 'outbound'`,
    );
    expect(turns.rows[0].n).toBe(users.length);
    expect(stopping.logs().some((line) => line.event === 'drain_finished')).toBe(true);
  });
});
