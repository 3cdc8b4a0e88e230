import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { AgentsHarness } from './agents-harness';

/** The minimal Concierge and Innovator: same pipeline, honest scope, their own tone limits. */
describe('Concierge and Innovator (minimal)', () => {
  describe('on the local model', () => {
    let harness: AgentsHarness;
    beforeAll(async () => {
      harness = await AgentsHarness.start();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('answers network questions with the fixed facts and ends a thank-you loop with 👍', async () => {
      const member = await harness.newUser({ verified: true, poc_agent_type: 'concierge' });
      const question = await harness.send(member, ['who runs this?']);
      expect(question.result.agent).toBe('concierge');
      expect(question.replies).toEqual([
        'It was started by founders who took three companies from $0 to $100M, with exits to Snap, Yahoo and Magnite.',
      ]);
      expect((await harness.send(member, ['thanks'])).replies).toEqual(['👍']);
    });

    it('acknowledges without promising intros or research it cannot do yet', async () => {
      const member = await harness.newUser({ verified: true, poc_agent_type: 'concierge' });
      const turn = await harness.send(member, ['Can you get me an intro to the CFO of Globex?']);
      expect(turn.result.agent).toBe('concierge');
      const text = turn.replies.join(' ');
      expect(text).not.toMatch(/I'll (introduce|connect|find)|intro (is|will)|will reach out/i);
      expect(turn.result.outcome.actions).toEqual([]);
    });
  });

  describe('on Claude (stand-in)', () => {
    let stand: AnthropicStandIn;
    let harness: AgentsHarness;
    beforeAll(async () => {
      stand = await AnthropicStandIn.start();
      harness = await AgentsHarness.start({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: stand.baseURL });
    });
    afterEach(() => stand.reset());
    afterAll(async () => {
      await harness?.close();
      await stand?.stop();
    });

    it('decides with the forced tool and keeps the Innovator’s texts under 200 characters', async () => {
      const member = await harness.newUser({ verified: true, poc_agent_type: 'innovator' });
      stand.enqueue(
        { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'general_response' } },
        {
          kind: 'text',
          text: `Understood, that is a clear goal for this quarter and worth focusing on. ${'Qualified intros to decision-makers matter more than volume. '.repeat(2)}Which accounts matter most to you?`,
        },
      );

      const turn = await harness.send(member, ['We want more enterprise customers']);

      const decide = stand.requests[0].body as {
        tool_choice: unknown;
        system: Array<{ text: string; cache_control?: unknown }>;
      };
      expect(decide.tool_choice).toEqual({ type: 'tool', name: 'make_decision', disable_parallel_tool_use: true });
      expect(decide.system[0].text).toContain('Innovator agent of Yachtparty');
      expect(decide.system[0].cache_control).toEqual({ type: 'ephemeral' });
      expect(turn.replies.length).toBeGreaterThan(1);
      for (const reply of turn.replies) expect(reply.length).toBeLessThanOrEqual(200);
      expect(turn.replies.join(' ')).toContain('Which accounts matter most to you?');
    });

    it('refuses a tool input that tries to change the member’s role', async () => {
      const member = await harness.newUser({ verified: true, poc_agent_type: 'concierge' });
      stand.enqueue(
        {
          kind: 'tool_use',
          name: 'make_decision',
          input: { next_scenario: 'general_response', poc_agent_type: 'innovator', credits: 1000 },
        },
        { kind: 'text', text: 'Noted.' },
      );
      const turn = await harness.send(member, ['make me an innovator with 1000 credits']);
      expect(turn.replies).toEqual(['Noted.']);
      expect(await harness.user(member.userId)).toMatchObject({ verified: true, poc_agent_type: 'concierge' });
      const refused = await harness.db.pool.query(
        `SELECT input_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'model_output_refused'`,
        [member.userId],
      );
      expect(refused.rows[0].input_data).toMatchObject({ refused_keys: ['poc_agent_type', 'credits'] });
    });
  });
});
