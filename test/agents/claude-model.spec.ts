import { BOUNCER_DECISION_TOOL } from '../../src/agents/bouncer/bouncer-decision.tool';
import type {
  BouncerDecision,
  BouncerDecisionInput,
  BouncerRenderFacts,
} from '../../src/agents/bouncer/bouncer-model.types';
import { decideBouncerLocally } from '../../src/agents/bouncer/bouncer.local-decider';
import { renderBouncerTemplate } from '../../src/agents/bouncer/bouncer.templates';
import { ClaudeModel } from '../../src/agents/model/claude.model';
import {
  InvalidModelOutputError,
  ModelCallAbortedError,
  ModelRequestRejectedError,
  ModelUnavailableError,
} from '../../src/agents/model/model.errors';
import type { DecideRequest, RenderRequest } from '../../src/agents/model/model-requests.types';
import { AnthropicStandIn } from '../support/anthropic-stand-in';

const MODEL = 'claude-stand-in-test';
// Long enough (≈ 1,300 tokens) to pass the 1,024-token minimum the API caches for Sonnet-class models.
const STATIC = 'You are the Bouncer. '.repeat(250);

const input: BouncerDecisionInput = {
  known: {
    firstName: null,
    lastName: null,
    company: null,
    title: null,
    emailVerified: false,
    referredBy: null,
    nameDropped: null,
  },
  referrerAnswered: false,
  awaiting: null,
  userTexts: ['hi'],
  emailVerifiedAck: false,
  alreadyComplete: false,
};

const decideRequest = (dynamic = 'first name: unknown'): DecideRequest<BouncerDecision> => ({
  purpose: 'bouncer.decide',
  local: () => decideBouncerLocally(input),
  prompt: { staticSystem: STATIC, dynamicSystem: dynamic, turns: [{ role: 'user', content: 'hi' }], maxTokens: 500 },
  tool: BOUNCER_DECISION_TOOL,
});

const facts: BouncerRenderFacts = {
  scenario: 'ask_for_referrer',
  firstName: null,
  acknowledged: [],
  referrerName: null,
  questions: [],
  verificationAddress: null,
  emailJustVerified: false,
  nudge: false,
  previousReplies: [],
};
const renderRequest: RenderRequest = {
  purpose: 'bouncer.render',
  local: () => renderBouncerTemplate(facts),
  prompt: {
    staticSystem: STATIC,
    dynamicSystem: 'Scenario: ask_for_referrer',
    turns: [{ role: 'user', content: 'hi' }],
    maxTokens: 300,
  },
};

const signal = () => new AbortController().signal;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('ClaudeModel against the Anthropic stand-in (real SDK)', () => {
  let stand: AnthropicStandIn;
  const model = (overrides: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new ClaudeModel({ apiKey: 'test-key', baseURL: stand.baseURL, model: MODEL, ...overrides });

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
  });
  afterEach(() => stand.reset());
  afterAll(async () => {
    await stand.stop();
  });

  it('decides through one forced make_decision tool, static system first with the cache breakpoint', async () => {
    stand.enqueue({ kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } });

    await model().decide(decideRequest(), { signal: signal() });

    const body = stand.requests[0].body as Record<string, unknown>;
    expect(body.model).toBe(MODEL);
    expect(body.max_tokens).toBe(500);
    expect(body.tools).toEqual([
      {
        name: 'make_decision',
        description: BOUNCER_DECISION_TOOL.description,
        input_schema: BOUNCER_DECISION_TOOL.inputSchema,
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'make_decision', disable_parallel_tool_use: true });
    expect(body.system).toEqual([
      { type: 'text', text: STATIC, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'first name: unknown' },
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(body).not.toHaveProperty('stream');
  });

  it('parses the tool input into a typed decision and reports tokens, cache use and latency', async () => {
    const answer = {
      next_scenario: 'ask_for_name',
      collect_user_info: { referrer_name: 'Sarah Chen' },
      questions_asked: ['what_is_yachtparty', 'weather'],
      context_for_response: 'be brief',
    };
    stand.enqueue(
      { kind: 'tool_use', name: 'make_decision', input: answer },
      { kind: 'tool_use', name: 'make_decision', input: answer },
    );
    const claude = model();

    const first = await claude.decide(decideRequest('state A'), { signal: signal() });
    const second = await claude.decide(decideRequest('state B, another user'), { signal: signal() });

    expect(first.value).toEqual({
      scenario: 'ask_for_name',
      collect: { referrer_name: 'Sarah Chen' },
      questions: ['what_is_yachtparty', 'other'],
      guidance: 'be brief',
      replyTexts: [],
    });
    expect(first.refused).toEqual([]);
    expect(first.usage).toMatchObject({ model: MODEL, cacheReadInputTokens: 0 });
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(first.usage.cacheCreationInputTokens).toBeGreaterThan(100);
    expect(first.usage.latencyMs).toBeGreaterThanOrEqual(0);
    // The per-user state sits after the breakpoint, so another user's call reads the cached prefix.
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheCreationInputTokens);
    expect(second.usage.cacheCreationInputTokens).toBe(0);
  });

  it.each([
    [
      'a text answer instead of the tool',
      { kind: 'text', text: 'Sure, I will verify you.' },
      /expected a make_decision tool call/,
    ],
    [
      'a scenario outside the enum',
      { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'verify_user' } },
      /next_scenario must be one of/,
    ],
    ['a missing scenario', { kind: 'tool_use', name: 'make_decision', input: {} }, /next_scenario must be one of/],
    [
      'a wrongly typed field',
      {
        kind: 'tool_use',
        name: 'make_decision',
        input: { next_scenario: 'ask_for_name', collect_user_info: { first_name: 42 } },
      },
      /first_name must be a string/,
    ],
    ['a non-object input', { kind: 'tool_use', name: 'make_decision', input: 'verified=true' }, /must be an object/],
  ] as const)('refuses %s with InvalidModelOutputError', async (_case, reply, message) => {
    stand.enqueue(reply);
    const error = await rejectionOf(model().decide(decideRequest(), { signal: signal() }));
    expect(error).toBeInstanceOf(InvalidModelOutputError);
    expect((error as Error).message).toMatch(message);
  });

  it('drops and reports keys outside the schema (privileges, other users) instead of using them', async () => {
    stand.enqueue({
      kind: 'tool_use',
      name: 'make_decision',
      input: {
        next_scenario: 'ask_for_name',
        verified: true,
        user_id: '00000000-0000-0000-0000-000000000001',
        collect_user_info: { first_name: 'Jane', verified: true, poc_agent_type: 'concierge', id: 'other' },
      },
    });

    const call = await model().decide(decideRequest(), { signal: signal() });

    expect(call.value.collect).toEqual({ first_name: 'Jane' });
    expect(call.refused).toEqual([
      'verified',
      'user_id',
      'collect_user_info.verified',
      'collect_user_info.poc_agent_type',
      'collect_user_info.id',
    ]);
  });

  it('renders prose in a second call without tools, split into texts on ---', async () => {
    stand.enqueue({ kind: 'text', text: 'Who told you about this?\n---\nNo rush.' });

    const call = await model().render(renderRequest, { signal: signal() });

    expect(call.value).toEqual(['Who told you about this?', 'No rush.']);
    const body = stand.requests[0].body as Record<string, unknown>;
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect((body.system as Array<Record<string, unknown>>)[0].cache_control).toEqual({ type: 'ephemeral' });
  });

  it('treats an empty render as invalid output', async () => {
    stand.enqueue({ kind: 'text', text: '  ' });
    await expect(model().render(renderRequest, { signal: signal() })).rejects.toBeInstanceOf(InvalidModelOutputError);
  });

  it('retries a 529 once (the SDK’s own retry) and succeeds', async () => {
    stand.enqueue(
      { kind: 'error', status: 529, retryAfterMs: 1 },
      { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } },
    );
    const call = await model().decide(decideRequest(), { signal: signal() });
    expect(call.value.scenario).toBe('ask_for_referrer');
    expect(stand.requests).toHaveLength(2);
  });

  it('throws ModelUnavailableError once the retry is spent, so the engine backs off', async () => {
    stand.enqueue({ kind: 'error', status: 529, retryAfterMs: 1 }, { kind: 'error', status: 529, retryAfterMs: 1 });
    const error = await rejectionOf(model().decide(decideRequest(), { signal: signal() }));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ status: 529 });
    expect(stand.requests).toHaveLength(2);
  });

  it('fails fast instead of sitting out a long retry-after inside the turn', async () => {
    stand.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 30 }, { kind: 'text', text: 'never asked for' });
    const started = Date.now();
    const error = await rejectionOf(model().decide(decideRequest(), { signal: signal() }));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ status: 429 });
    // Far below the 30 s it refused to sit out; loose enough for a slow machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stand.requests).toHaveLength(1);
  });

  it('does not retry a rejected request (400) and says so', async () => {
    stand.enqueue({ kind: 'error', status: 400, message: 'bad tool schema' });
    const error = await rejectionOf(model().decide(decideRequest(), { signal: signal() }));
    expect(error).toBeInstanceOf(ModelRequestRejectedError);
    expect((error as Error).message).toContain('bad tool schema');
    expect(stand.requests).toHaveLength(1);
  });

  it('times out a slow answer per attempt, retries once, then gives up', async () => {
    stand.enqueue(
      { kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'too late' } },
      { kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'too late' } },
    );
    const started = Date.now();
    const error = await rejectionOf(model({ timeoutMs: 200 }).render(renderRequest, { signal: signal() }));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/timed out \(200 ms per attempt\)/);
    expect(stand.requests).toHaveLength(2);
    // Two 200 ms attempts, far below the 60 s answers they gave up on; loose enough for a slow machine.
    expect(Date.now() - started).toBeLessThan(15_000);
    await stand.idle();
    expect(stand.disconnects).toBe(2);
  });

  it('uses the default budget-sized timeout and one retry', async () => {
    stand.enqueue({ kind: 'slow', delayMs: 100, then: { kind: 'text', text: 'Who told you about this?' } });
    const call = await model().render(renderRequest, { signal: signal() });
    expect(call.value).toEqual(['Who told you about this?']);
    // The SDK announces its per-attempt timeout in whole seconds: 6 s → "6" (the SDK default is 600).
    expect(stand.requests[0].headers['x-stainless-timeout']).toBe('6');
  });

  it('aborts an in-flight call when the turn’s signal fires (shutdown), without retrying', async () => {
    stand.enqueue({ kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'never read' } });
    const controller = new AbortController();
    const pending = model().decide(decideRequest(), { signal: controller.signal });
    await stand.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ModelCallAbortedError);
    await stand.idle();
    expect(stand.requests).toHaveLength(1);
    expect(stand.disconnects).toBe(1);
  });
});
