import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { AgentsHarness } from './agents-harness';

const MODEL = 'claude-sonnet-stand-in';

interface Body {
  system: Array<{ type: string; text: string; cache_control?: unknown }>;
  tools?: Array<{ input_schema: { properties: Record<string, unknown> } }>;
}

const decisionFields = (body: unknown) => Object.keys((body as Body).tools?.[0].input_schema.properties ?? {}).sort();

/**
 * The one-call pipeline on the Bouncer, through the real SDK against the stand-in: the decision
 * carries the reply, so the common turn is one model round trip; the two-call reference always renders.
 */
describe('Bouncer: one model round trip, cached prefix, cost per call', () => {
  let stand: AnthropicStandIn;
  let oneCall: AgentsHarness;
  let twoCall: AgentsHarness;

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
    const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: stand.baseURL, ANTHROPIC_MODEL: MODEL };
    oneCall = await AgentsHarness.start({ ...env, AGENT_PIPELINE: 'one_call' });
    twoCall = await AgentsHarness.start({ ...env, AGENT_PIPELINE: 'two_call' });
  });
  afterEach(() => stand.reset());
  afterAll(async () => {
    await oneCall?.close();
    await twoCall?.close();
    await stand?.stop();
  });

  const llmCalls = async (harness: AgentsHarness, userId: string) =>
    (
      await harness.db.pool.query<{ cost_usd: string | null; input_data: Record<string, number | string> }>(
        `SELECT cost_usd, input_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'llm_call' ORDER BY created_at`,
        [userId],
      )
    ).rows;

  it('sends the decision’s own reply after one request, and logs its cost', async () => {
    const user = await oneCall.newUser();
    stand.enqueue({
      kind: 'tool_use',
      name: 'make_decision',
      input: { next_scenario: 'ask_for_referrer', reply_texts: ['Who sent you my way?'] },
    });

    const turn = await oneCall.send(user, ['hello']);

    expect(turn.replies).toEqual(['Who sent you my way?']);
    expect(stand.requests).toHaveLength(1);
    const calls = await llmCalls(oneCall, user.userId);
    expect(calls).toHaveLength(1);
    expect(Number(calls[0].cost_usd)).toBeGreaterThan(0);
  });

  it('renders in a second call when the state machine corrects the scenario the reply was written for', async () => {
    const user = await oneCall.newUser();
    stand.enqueue(
      // Skips the referrer question: the draft was written for the wrong step.
      { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_name', reply_texts: ['Name?'] } },
      { kind: 'text', text: 'Who told you about this?' },
    );

    const turn = await oneCall.send(user, ['hello']);

    expect(turn.replies).toEqual(['Who told you about this?']);
    expect(stand.requests).toHaveLength(2);
  });

  it('always renders on the two-call reference, even with a drafted reply', async () => {
    const user = await twoCall.newUser();
    stand.enqueue(
      {
        kind: 'tool_use',
        name: 'make_decision',
        input: { next_scenario: 'ask_for_referrer', reply_texts: ['Draft?'] },
      },
      { kind: 'text', text: 'Who told you about this?' },
    );

    const turn = await twoCall.send(user, ['hello']);

    expect(turn.replies).toEqual(['Who told you about this?']);
    expect(stand.requests).toHaveLength(2);
  });

  it('caches the static prefix (tools, persona, facts, rules) from the second turn on', async () => {
    const first = await oneCall.newUser();
    const second = await oneCall.newUser();
    const decision = { next_scenario: 'ask_for_referrer', reply_texts: ['Who sent you my way?'] };
    stand.enqueue({ kind: 'tool_use', name: 'make_decision', input: decision });
    stand.enqueue({ kind: 'tool_use', name: 'make_decision', input: decision });

    await oneCall.send(first, ['hello']);
    await oneCall.send(second, ['hi there']);

    const [body] = stand.requests.map((r) => r.body as Body);
    expect(body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    const [written] = await llmCalls(oneCall, first.userId);
    const [read] = await llmCalls(oneCall, second.userId);
    expect(Number(written.input_data.cache_creation_input_tokens)).toBeGreaterThanOrEqual(1024);
    expect(Number(read.input_data.cache_read_input_tokens)).toBeGreaterThanOrEqual(1024);
    // A cached read costs less than the same call writing the cache.
    expect(Number(read.cost_usd)).toBeLessThan(Number(written.cost_usd));
  });

  it('asks the one-call decision for the reply and no note, and the two-call decision for a note and no reply', async () => {
    stand.enqueue({
      kind: 'tool_use',
      name: 'make_decision',
      input: { next_scenario: 'ask_for_referrer', reply_texts: ['Who sent you my way?'] },
    });
    await oneCall.send(await oneCall.newUser(), ['hello']);
    stand.enqueue(
      {
        kind: 'tool_use',
        name: 'make_decision',
        input: { next_scenario: 'ask_for_referrer', context_for_response: 'curt, they seem busy' },
      },
      { kind: 'text', text: 'Who told you about this?' },
    );
    await twoCall.send(await twoCall.newUser(), ['hello']);

    const [oneCallDecision, twoCallDecision, render] = stand.requests.map((r) => r.body as Body);
    expect(decisionFields(oneCallDecision)).toEqual([
      'collect_user_info',
      'next_scenario',
      'questions_asked',
      'reply_texts',
    ]);
    expect(decisionFields(twoCallDecision)).toEqual([
      'collect_user_info',
      'context_for_response',
      'next_scenario',
      'questions_asked',
    ]);
    // The two-call note reaches its render, as data after the cached prefix.
    expect(render.system[0].text).not.toContain('curt, they seem busy');
    expect(render.system[1].text).toContain('curt, they seem busy');
  });

  it('caches the two-call reference’s render prefix from the second turn on, as the decision’s', async () => {
    const script = () =>
      stand.enqueue(
        { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } },
        { kind: 'text', text: 'Who told you about this?' },
      );
    script();
    await twoCall.send(await twoCall.newUser(), ['hello']);
    script();
    await twoCall.send(await twoCall.newUser(), ['hi there']);

    const [, firstRender, , secondRender] = stand.requests;
    expect((firstRender.body as Body).tools).toBeUndefined();
    expect(firstRender.usage?.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(secondRender.usage?.cache_read_input_tokens).toBeGreaterThanOrEqual(1024);
  });
});
