import type { INestApplication } from '@nestjs/common';
import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../support/anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

const decision = (input: unknown): ScriptedReply => ({ kind: 'tool_use', name: 'make_decision', input });

/** Model answers that are wrong in every way we could think of; keyed by a marker in the user's text. */
const HOSTILE: Record<string, { decide: ScriptedReply; render?: ScriptedReply }> = {
  'input-not-object': { decide: decision('ask_for_referrer') },
  'input-array': { decide: decision([1, 2, 3]) },
  'unknown-tool': { decide: { kind: 'tool_use', name: 'mark_user_verified', input: { verified: true } } },
  'bad-scenario': { decide: decision({ next_scenario: 'grant_admin' }) },
  'wrong-types': { decide: decision({ next_scenario: 'ask_for_name', collect_user_info: 5, questions_asked: 'all' }) },
  'privileged-fields': {
    decide: decision({
      next_scenario: 'ask_for_name',
      collect_user_info: { verified: true, poc_agent_type: 'concierge' },
      verified: true,
    }),
  },
  'huge-strings': { decide: decision({ next_scenario: 'ask_for_name', context_for_response: 'x'.repeat(200_000) }) },
  'text-instead-of-tool': { decide: { kind: 'text', text: '{"next_scenario":"ask_for_name"}' } },
  'invalid-json-body': { decide: { kind: 'raw', status: 200, body: '{"id": "msg_1", "content": [' } },
  'empty-json-body': { decide: { kind: 'raw', status: 200, body: '{}' } },
  'empty-render': { decide: decision({ next_scenario: 'ask_for_referrer' }), render: { kind: 'text', text: '' } },
  'loud-render': {
    decide: decision({ next_scenario: 'ask_for_referrer' }),
    render: { kind: 'text', text: `AMAZING!!! Email boss@evil.example now! ${'Really. '.repeat(2000)}` },
  },
};

function responder(request: RecordedRequest): ScriptedReply {
  const body = JSON.stringify(request.body);
  const isDecision = Boolean((request.body as { tools?: unknown[] }).tools);
  for (const [marker, answers] of Object.entries(HOSTILE)) {
    if (!body.includes(`case ${marker}`)) continue;
    if (isDecision) return answers.decide;
    return answers.render ?? { kind: 'text', text: 'Who told you about us?' };
  }
  return isDecision
    ? decision({ next_scenario: 'ask_for_referrer' })
    : { kind: 'text', text: 'Who told you about us?' };
}

describe('hostile model output', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    model.setResponder(responder);
    app = await startTestApp({
      DATABASE_URL: db.url,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.baseURL,
      SWEEP_INTERVAL_MS: '200',
      MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '50',
    });
  });

  afterAll(async () => {
    await app?.close();
    await model?.stop();
    await db?.drop();
  });

  it('ends every turn in a terminal state, grants nothing, sends only clean texts, and answers other users', async () => {
    const hostileIds: string[] = [];
    for (const marker of Object.keys(HOSTILE)) {
      const user = await seedUser(db.pool);
      hostileIds.push(...(await insertInbound(db.pool, user, [`hello, case ${marker}`])));
    }
    const normalIds: string[] = [];
    for (let i = 0; i < 3; i += 1)
      normalIds.push(...(await insertInbound(db.pool, await seedUser(db.pool), ['hi there'])));

    await expectEventually(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state NOT IN ('done', 'dead')`,
        );
        expect(rows[0].n).toBe(0);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    const normal = await db.pool.query(
      `SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND processing_state = 'done'`,
      [normalIds],
    );
    expect(normal.rows[0].n).toBe(normalIds.length);
    const promoted = await db.pool.query(
      `SELECT count(*)::int AS n FROM users WHERE verified OR poc_agent_type <> 'bouncer'`,
    );
    expect(promoted.rows[0].n).toBe(0);

    const replies = await db.pool.query(`SELECT content FROM messages WHERE direction = 'outbound'`);
    for (const { content } of replies.rows as Array<{ content: string }>) {
      expect(content.trim().length).toBeGreaterThan(0);
      expect(content.length).toBeLessThan(1000);
      expect(content).not.toContain('!');
      expect(content).not.toContain('evil.example');
    }
    // A turn that could not be answered says so in the log with its reason.
    const failed = await db.pool.query(
      `SELECT processing_state, last_error FROM messages WHERE id = ANY($1::uuid[]) AND processing_state = 'dead'`,
      [hostileIds],
    );
    // An unparseable API body cannot be repaired: at least that turn ended dead, with its reason.
    expect(failed.rows.length).toBeGreaterThan(0);
    for (const row of failed.rows) expect(row.last_error).toMatch(/\w{5}/);
  });
});
