import { AnthropicStandIn } from '../support/anthropic-stand-in';
import type { SeededUser } from '../support/seed';
import { AgentsHarness } from './agents-harness';
import { addConnectionRequest, addIntroOpportunity, seedMember } from './concierge-fixtures';

const MODEL = 'claude-sonnet-stand-in';

/**
 * The original's post_clarification_context (had_recent_clarification, frustration_detected,
 * should_acknowledge_confusion), decided in code: after a clarifying question, a frustrated member's
 * reply owns the confusion first; a frustrated member gets no proactive mention and no nudge.
 */
describe('Concierge: frustration after a clarifying question', () => {
  let local: AgentsHarness;
  let claude: AgentsHarness;
  let stand: AnthropicStandIn;

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
    local = await AgentsHarness.start();
    claude = await AgentsHarness.start({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: stand.baseURL,
      ANTHROPIC_MODEL: MODEL,
    });
  });
  afterEach(() => stand.reset());
  afterAll(async () => {
    await local?.close();
    await claude?.close();
    await stand?.stop();
  });

  const contextOf = async (harness: AgentsHarness, member: SeededUser) =>
    (
      await harness.db.pool.query<{ output_data: Record<string, boolean> }>(
        `SELECT output_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'post_clarification_context'`,
        [member.userId],
      )
    ).rows.map((row) => row.output_data);
  const vetoes = async (harness: AgentsHarness, member: SeededUser) =>
    (
      await harness.db.pool.query<{ output_data: { reason?: string } }>(
        `SELECT output_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'proactive_mention_vetoed'`,
        [member.userId],
      )
    ).rows.map((row) => row.output_data.reason ?? null);
  const presentations = async (harness: AgentsHarness, priorityId: string) =>
    (
      await harness.db.pool.query<{ presentation_count: number }>(
        `SELECT presentation_count FROM user_priorities WHERE id = $1`,
        [priorityId],
      )
    ).rows[0].presentation_count;

  /** Two items awaiting an answer, so a bare "yes" is ambiguous. */
  async function ambiguousMember(harness: AgentsHarness): Promise<SeededUser> {
    const member = await seedMember(harness.db.pool);
    await addIntroOpportunity(harness.db.pool, member, { first: 'Maya', last: 'Patel', company: 'Acme' });
    await addConnectionRequest(harness.db.pool, member, 'Zoe Park');
    return member;
  }

  describe('on the local model', () => {
    it('apologises first when the member is frustrated right after a clarifying question', async () => {
      const member = await ambiguousMember(local);
      const asked = await local.send(member, ['yes']);
      expect(asked.replies[0]).toMatch(/^Just to be sure/);

      const turn = await local.send(member, ["that's not what I said"]);

      expect(turn.replies[0]).toMatch(/^Sorry for the confusion\./);
      expect(await contextOf(local, member)).toEqual([
        { had_recent_clarification: true, frustration_detected: true, should_acknowledge_confusion: true },
      ]);
    });

    it('does not apologise for frustration when no clarifying question came before', async () => {
      const member = await seedMember(local.db.pool);

      const turn = await local.send(member, ['ugh, this makes no sense']);

      expect(turn.replies.join(' ')).not.toMatch(/sorry/i);
      expect(await contextOf(local, member)).toEqual([
        { had_recent_clarification: false, frustration_detected: true, should_acknowledge_confusion: false },
      ]);
    });

    it('mentions no other priority to a frustrated member', async () => {
      const member = await seedMember(local.db.pool);
      const { priorityId } = await addIntroOpportunity(
        local.db.pool,
        member,
        { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
        { priority: { value: 95 } },
      );

      const turn = await local.send(member, ['I already told you my goal is to hire a VP of sales']);

      expect(turn.replies.join(' ')).not.toMatch(/While I have you/);
      expect(await presentations(local, priorityId as string)).toBe(0);
    });

    it('sends no re-engagement nudge after a frustrated last text', async () => {
      const member = await seedMember(local.db.pool);
      await addIntroOpportunity(
        local.db.pool,
        member,
        { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
        { priority: { value: 95 } },
      );
      await local.send(member, ['forget it, you are not listening']);

      await local.send(member, [JSON.stringify({ type: 're_engagement_check', attemptCount: 1 })], 'system');

      expect(await local.queued(member.userId)).toEqual([]);
      const { rows } = await local.db.pool.query<{ output_data: { reason: string } }>(
        `SELECT output_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 're_engagement_decision_no_message'`,
        [member.userId],
      );
      expect(rows.map((row) => row.output_data.reason)).toEqual(['the member sounded frustrated']);
    });
  });

  describe('on Claude (stand-in)', () => {
    const decide = (input: Record<string, unknown>) =>
      stand.enqueue({ kind: 'tool_use', name: 'make_decision', input });

    it('keeps a one-call reply that already apologises: one request', async () => {
      const member = await ambiguousMember(claude);
      decide({ next_scenario: 'request_clarification', reply_texts: ['Is that about Maya Patel or Zoe Park?'] });
      await claude.send(member, ['yes']);
      decide({
        next_scenario: 'general_response',
        frustration_detected: true,
        reply_texts: ['Sorry, my mistake. Tell me which one and I will take care of it.'],
      });

      const turn = await claude.send(member, ['the one I meant, obviously']);

      expect(turn.replies).toEqual(['Sorry, my mistake. Tell me which one and I will take care of it.']);
      expect(stand.requests).toHaveLength(2);
      // The model's reading counts even where the plain phrasings see nothing.
      expect(await contextOf(claude, member)).toEqual([
        { had_recent_clarification: true, frustration_detected: true, should_acknowledge_confusion: true },
      ]);
    });

    it('renders again when the drafted reply does not own the confusion, and falls back to the template', async () => {
      const member = await ambiguousMember(claude);
      decide({ next_scenario: 'request_clarification', reply_texts: ['Is that about Maya Patel or Zoe Park?'] });
      await claude.send(member, ['yes']);
      decide({ next_scenario: 'general_response', reply_texts: ['Noted.'] });
      stand.enqueue({ kind: 'text', text: 'Noted, thanks.' });

      const turn = await claude.send(member, ['I already told you, ugh']);

      expect(stand.requests).toHaveLength(3);
      const render = stand.requests[2].body as { system: Array<{ text: string }> };
      expect(render.system[1].text).toContain('Acknowledge confusion');
      expect(turn.replies[0]).toMatch(/^Sorry for the confusion\./);
    });

    it('vetoes the proactive mention a frustrated member’s decision proposes', async () => {
      const member = await seedMember(claude.db.pool);
      const { priorityId } = await addIntroOpportunity(
        claude.db.pool,
        member,
        { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
        { priority: { value: 95 } },
      );
      decide({
        next_scenario: 'general_response',
        frustration_detected: true,
        proactive_priority_id: priorityId,
        reply_texts: ['Understood.'],
      });

      await claude.send(member, ['this is not helping me at all']);

      expect(await presentations(claude, priorityId as string)).toBe(0);
      expect(await vetoes(claude, member)).toContain('frustration');
    });
  });
});
