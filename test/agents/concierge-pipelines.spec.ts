import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { AgentsHarness } from './agents-harness';
import { seedMember } from './concierge-fixtures';

const MODEL = 'claude-sonnet-stand-in';

interface Body {
  system: Array<{ type: string; text: string; cache_control?: unknown }>;
  tools?: Array<{ input_schema: { properties: Record<string, unknown> } }>;
}

const decisionFields = (body: unknown) => Object.keys((body as Body).tools?.[0].input_schema.properties ?? {}).sort();

/**
 * The Concierge's two pipelines through the real SDK against the stand-in: the one-call decision
 * writes the reply and nothing that restates it; the two-call reference decides without a reply and
 * renders with a prefix long enough to cache, so the comparison in the benchmark is fair.
 */
describe('Concierge: one-call decision and the two-call reference', () => {
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

  it('asks the one-call decision for the reply only, and the two-call decision for the question only', async () => {
    stand.enqueue({
      kind: 'tool_use',
      name: 'make_decision',
      input: { next_scenario: 'general_response', reply_texts: ['Noted, thanks.'] },
    });
    const one = await oneCall.send(await seedMember(oneCall.db.pool), ['thanks for the help']);
    stand.enqueue(
      { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'general_response' } },
      { kind: 'text', text: 'Noted, thanks.' },
    );
    await twoCall.send(await seedMember(twoCall.db.pool), ['thanks for the help']);

    expect(one.replies).toEqual(['Noted, thanks.']);
    const [oneCallDecision, twoCallDecision] = stand.requests.map((r) => r.body);
    const shared = ['frustration_detected', 'next_scenario', 'proactive_priority_id', 'questions_asked', 'tool_calls'];
    expect(decisionFields(oneCallDecision)).toEqual([...shared, 'reply_texts'].sort());
    expect(decisionFields(twoCallDecision)).toEqual([...shared, 'clarifying_question'].sort());
    expect(stand.requests).toHaveLength(3);
  });

  it('caches the two-call reference’s render prefix from the second turn on', async () => {
    for (const text of ['thanks for the help', 'appreciate it']) {
      stand.enqueue(
        { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'general_response' } },
        { kind: 'text', text: 'Noted, thanks.' },
      );
      await twoCall.send(await seedMember(twoCall.db.pool), [text]);
    }

    const [, firstRender, , secondRender] = stand.requests;
    expect((firstRender.body as Body).tools).toBeUndefined();
    expect(firstRender.usage?.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(secondRender.usage?.cache_read_input_tokens).toBeGreaterThanOrEqual(1024);
  });
});
