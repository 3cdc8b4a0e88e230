import { AnthropicStandIn } from '../support/anthropic-stand-in';
import type { SeededUser } from '../support/seed';
import { AgentsHarness } from './agents-harness';
import {
  addCommunityRequest,
  addConnectionRequest,
  addIntroOpportunity,
  addOfferTo,
  eventsOf,
  seedMember,
} from './concierge-fixtures';

const MODEL = 'claude-sonnet-stand-in';

const SCENARIO: Record<string, string> = {
  accept_intro_opportunity: 'intro_opportunity_acknowledgment',
  decline_intro_opportunity: 'intro_opportunity_acknowledgment',
  accept_intro_offer: 'intro_offer_acknowledgment',
  decline_intro_offer: 'intro_offer_acknowledgment',
  confirm_intro_offer: 'intro_offer_acknowledgment',
  offer_introduction: 'intro_offer_acknowledgment',
  accept_connection_request: 'connection_request_acknowledgment',
  decline_connection_request: 'connection_request_acknowledgment',
  publish_community_request: 'community_request_acknowledgment',
  request_solution_research: 'solution_research_acknowledgment',
  record_community_response: 'community_response_acknowledgment',
};

interface Scripted {
  next_scenario: string;
  tool_calls?: Array<{ name: string; input: Record<string, unknown> }>;
  reply_texts?: string[];
  proactive_priority_id?: string;
}

/** The Concierge through the real SDK against the stand-in: scripted tool use, turns committed by the engine. */
describe('Concierge on Claude (stand-in)', () => {
  let stand: AnthropicStandIn;
  let harness: AgentsHarness;

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
    harness = await AgentsHarness.start({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: stand.baseURL,
      ANTHROPIC_MODEL: MODEL,
    });
  });
  afterEach(() => stand.reset());
  afterAll(async () => {
    await harness?.close();
    await stand?.stop();
  });

  const pool = () => harness.db.pool;
  const decide = (input: Scripted) => stand.enqueue({ kind: 'tool_use', name: 'make_decision', input });
  const statusOf = async (table: string, id: string) =>
    (await pool().query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0].status;
  const refusals = async (member: SeededUser) =>
    (
      await pool().query<{ input_data: { tool: string }; error: string }>(
        `SELECT input_data, error FROM agent_actions_log WHERE user_id = $1 AND action_type = 'tool_call_refused'`,
        [member.userId],
      )
    ).rows;

  type Case = {
    tool: string;
    texts: string[];
    setup: (member: SeededUser) => Promise<{ input: Record<string, unknown>; event: string; aggregate: string }>;
  };
  const cases: Case[] = [
    {
      tool: 'accept_intro_opportunity',
      texts: ['yes to Maya'],
      setup: async (m) => {
        const { id } = await addIntroOpportunity(pool(), m, { first: 'Maya', last: 'Patel', company: 'Acme' });
        return { input: { intro_opportunity_id: id }, event: 'intro.opportunity_accepted', aggregate: id };
      },
    },
    {
      tool: 'decline_intro_opportunity',
      texts: ['pass on Maya'],
      setup: async (m) => {
        const { id } = await addIntroOpportunity(pool(), m, { first: 'Maya', last: 'Patel', company: 'Acme' });
        return {
          input: { intro_opportunity_id: id, note: 'busy' },
          event: 'intro.opportunity_declined',
          aggregate: id,
        };
      },
    },
    {
      tool: 'accept_intro_offer',
      texts: ['yes, intro me to Priya'],
      setup: async (m) => {
        const id = await addOfferTo(pool(), m, await seedMember(pool(), 'Lee'), 'Priya Raman');
        return { input: { intro_offer_id: id }, event: 'intro.offer_accepted', aggregate: id };
      },
    },
    {
      tool: 'decline_intro_offer',
      texts: ['no to Priya'],
      setup: async (m) => {
        const id = await addOfferTo(pool(), m, await seedMember(pool(), 'Lee'), 'Priya Raman');
        return { input: { intro_offer_id: id }, event: 'intro.offer_declined', aggregate: id };
      },
    },
    {
      tool: 'confirm_intro_offer',
      texts: ['I made the intro to Elena'],
      setup: async (m) => {
        const id = await addOfferTo(
          pool(),
          await seedMember(pool(), 'Ravi'),
          m,
          'Elena Rossi',
          'pending_connector_confirmation',
        );
        return { input: { intro_offer_id: id }, event: 'intro.offer_confirmed', aggregate: id };
      },
    },
    {
      tool: 'accept_connection_request',
      texts: ['happy to meet Zoe'],
      setup: async (m) => {
        const id = await addConnectionRequest(pool(), m, 'Zoe Park');
        return { input: { connection_request_id: id }, event: 'connection.request_accepted', aggregate: id };
      },
    },
    {
      tool: 'decline_connection_request',
      texts: ['not Zoe, sorry'],
      setup: async (m) => {
        const id = await addConnectionRequest(pool(), m, 'Zoe Park');
        return { input: { connection_request_id: id }, event: 'connection.request_declined', aggregate: id };
      },
    },
    {
      tool: 'publish_community_request',
      texts: ['I want to meet a CFO who did a SPAC'],
      setup: (m) =>
        Promise.resolve({
          input: { question: 'Looking for a CFO who did a SPAC', request_summary: 'CFO with SPAC experience' },
          event: 'community.request_needed',
          aggregate: m.userId,
        }),
    },
    {
      tool: 'request_solution_research',
      texts: ['any recommendations for a procurement tool?'],
      setup: (m) =>
        Promise.resolve({
          input: { request_description: 'a procurement tool', urgency: 'low' },
          event: 'user.inquiry.solution_needed',
          aggregate: m.userId,
        }),
    },
    {
      tool: 'offer_introduction',
      texts: ['I can introduce them to Carla Mendes'],
      setup: async (m) => {
        const request = await addCommunityRequest(pool(), await seedMember(pool(), 'Ben'), m);
        return {
          input: { community_request_id: request, prospect_name: 'Carla Mendes' },
          event: 'intro.offer_created',
          aggregate: '',
        };
      },
    },
    {
      tool: 'record_community_response',
      texts: ['Gusto worked well for us'],
      setup: async (m) => {
        const request = await addCommunityRequest(pool(), await seedMember(pool(), 'Ana'), m);
        return {
          input: { community_request_id: request, response_summary: 'Recommends Gusto.' },
          event: 'community.response_received',
          aggregate: request,
        };
      },
    },
  ];

  it.each(cases)('runs $tool from a scripted tool call, in one round trip, and emits its event', async (c) => {
    const member = await seedMember(pool());
    const { input, event, aggregate } = await c.setup(member);
    decide({ next_scenario: SCENARIO[c.tool], tool_calls: [{ name: c.tool, input }], reply_texts: ['Noted.'] });

    const turn = await harness.send(member, c.texts);

    expect(turn.replies).toEqual(['Noted.']);
    expect(stand.requests).toHaveLength(1);
    expect(await refusals(member)).toEqual([]);
    const found = aggregate
      ? await eventsOf(pool(), event, aggregate)
      : (await pool().query(`SELECT payload FROM events WHERE event_type = $1`, [event])).rows;
    expect(found.length).toBeGreaterThanOrEqual(1);
  });

  it('runs store_user_goal from a scripted tool call', async () => {
    const member = await seedMember(pool());
    decide({
      next_scenario: 'goal_stored_acknowledgment',
      tool_calls: [{ name: 'store_user_goal', input: { goal: 'raise a Series B by the summer' } }],
      reply_texts: ['Noted, I will keep that in mind.'],
    });

    await harness.send(member, ['We are trying to raise a Series B by the summer']);

    const { rows } = await pool().query(`SELECT response_pattern->>'user_goal' AS goal FROM users WHERE id = $1`, [
      member.userId,
    ]);
    expect(rows[0].goal).toBe('raise a Series B by the summer');
  });

  it('caches the static prefix (tools, persona, facts, rules) above the minimum from the second turn', async () => {
    const [a, b] = [await seedMember(pool()), await seedMember(pool(), 'Kai')];
    decide({ next_scenario: 'general_response', reply_texts: ['Noted.'] });
    decide({ next_scenario: 'general_response', reply_texts: ['Noted.'] });

    await harness.send(a, ['hello']);
    await harness.send(b, ['hello there']);

    const { rows } = await pool().query<{ input_data: { cache_read_input_tokens: number }; cost_usd: string }>(
      `SELECT input_data, cost_usd FROM agent_actions_log WHERE user_id = $1 AND action_type = 'llm_call'`,
      [b.userId],
    );
    expect(rows[0].input_data.cache_read_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(Number(rows[0].cost_usd)).toBeGreaterThan(0);
  });

  describe('bad model output is refused and audited; the turn still answers and writes nothing for it', () => {
    it('an id that is not in this member’s context (another member’s intro)', async () => {
      const member = await seedMember(pool());
      const other = await seedMember(pool(), 'Eve');
      const { id } = await addIntroOpportunity(pool(), other, { first: 'Maya', last: 'Patel', company: 'Acme' });
      decide({
        next_scenario: 'intro_opportunity_acknowledgment',
        tool_calls: [{ name: 'accept_intro_opportunity', input: { intro_opportunity_id: id } }],
        reply_texts: ['Done, intro to Maya is on.'],
      });
      stand.enqueue({ kind: 'text', text: 'Could you tell me which intro you mean?' });

      const turn = await harness.send(member, ['accept Maya']);

      expect(turn.replies).toEqual(['Could you tell me which intro you mean?']);
      expect(await statusOf('intro_opportunities', id)).toBe('open');
      expect(await eventsOf(pool(), 'intro.opportunity_accepted', id)).toEqual([]);
      expect(await refusals(member)).toEqual([
        expect.objectContaining({ input_data: { tool: 'accept_intro_opportunity' } }),
      ]);
    });

    it.each([
      ['an unknown tool', { name: 'transfer_credits', input: { amount: 1000 } }, 'unknown tool'],
      ['malformed input', { name: 'accept_intro_offer', input: { intro_offer_id: 'not-a-uuid' } }, 'malformed input'],
    ])('%s', async (_label, call, reason) => {
      const member = await seedMember(pool());
      decide({ next_scenario: 'general_response', tool_calls: [call], reply_texts: ['Done.'] });

      const turn = await harness.send(member, ['do it']);

      expect(turn.replies).toHaveLength(1);
      const [refusal] = await refusals(member);
      expect(refusal.error).toContain(reason);
      expect(turn.result.outcome.actions).toEqual([]);
      expect(turn.result.outcome.events).toEqual([]);
    });

    it('a tool changing an item the message is not about (intent rule, enforced in code)', async () => {
      const member = await seedMember(pool());
      const { id } = await addIntroOpportunity(pool(), member, { first: 'Omar', last: 'Haddad', company: 'Umbrella' });
      decide({
        next_scenario: 'intro_opportunity_acknowledgment',
        tool_calls: [{ name: 'accept_intro_opportunity', input: { intro_opportunity_id: id } }],
        reply_texts: ['Great, intro to Omar is on.'],
      });

      const turn = await harness.send(member, ['Sounds good, see you at the offsite']);

      expect(await statusOf('intro_opportunities', id)).toBe('open');
      expect(turn.replies).toHaveLength(1);
      expect((await refusals(member))[0].error).toContain('not about this item');
    });

    it('"I want to meet X" proposed as an offer becomes a community request', async () => {
      const member = await seedMember(pool());
      const request = await addCommunityRequest(pool(), await seedMember(pool(), 'Ben'), member);
      decide({
        next_scenario: 'intro_offer_acknowledgment',
        tool_calls: [
          { name: 'offer_introduction', input: { community_request_id: request, prospect_name: 'Dana White' } },
        ],
        reply_texts: ['Thanks for the offer.'],
      });
      stand.enqueue({ kind: 'text', text: 'I will ask around for an intro to Dana White.' });

      await harness.send(member, ['I want to meet Dana White']);

      expect(await eventsOf(pool(), 'community.request_needed', member.userId)).toHaveLength(1);
      const offers = await pool().query(`SELECT 1 FROM intro_offers WHERE offering_user_id = $1`, [member.userId]);
      expect(offers.rows).toEqual([]);
    });

    it('a clarification runs no tool, whatever the model put in tool_calls', async () => {
      const member = await seedMember(pool());
      const { id } = await addIntroOpportunity(pool(), member, { first: 'Maya', last: 'Patel', company: 'Acme' });
      decide({
        next_scenario: 'request_clarification',
        tool_calls: [{ name: 'accept_intro_opportunity', input: { intro_opportunity_id: id } }],
        reply_texts: ['Which intro do you mean, Maya Patel?'],
      });

      const turn = await harness.send(member, ['yes Maya']);

      expect(turn.replies).toEqual(['Which intro do you mean, Maya Patel?']);
      expect(await statusOf('intro_opportunities', id)).toBe('open');
    });
  });
});
