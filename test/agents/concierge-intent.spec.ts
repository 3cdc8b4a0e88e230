import { AgentsHarness } from './agents-harness';
import { addConnectionRequest, addIntroOpportunity, addOutbound, eventsOf, seedMember } from './concierge-fixtures';

/** The Concierge intent rules, enforced in code (local model; the Claude spec proves them against a model that breaks them). */
describe('Concierge intent rules', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pool = () => harness.db.pool;
  const statusOf = async (table: string, id: string) =>
    (await pool().query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0].status;
  const logged = async (userId: string, actionType: string) =>
    (
      await pool().query(
        `SELECT input_data, output_data, error FROM agent_actions_log WHERE user_id = $1 AND action_type = $2`,
        [userId, actionType],
      )
    ).rows;

  it('asks which one on an ambiguous yes, and runs no tool', async () => {
    const member = await seedMember(pool());
    const first = await addIntroOpportunity(pool(), member, { first: 'Maya', last: 'Patel', company: 'Acme' });
    const request = await addConnectionRequest(pool(), member, 'Zoe Park');

    const turn = await harness.send(member, ['yes']);

    expect(turn.replies).toEqual(['Just to be sure, is that about the intro to Maya Patel or meeting Zoe Park?']);
    expect(await statusOf('intro_opportunities', first.id)).toBe('open');
    expect(await statusOf('connection_requests', request)).toBe('open');
    expect(turn.result.outcome.events).toEqual([]);
  });

  it('never changes an item because of an unrelated message', async () => {
    const member = await seedMember(pool());
    const { id } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
      {
        priority: { value: 90 },
      },
    );

    await harness.send(member, ['Sounds good, see you at the offsite next week']);

    expect(await statusOf('intro_opportunities', id)).toBe('open');
    expect(await eventsOf(pool(), 'intro.opportunity_accepted', id)).toEqual([]);
  });

  it('treats "connect me with X" as a community request, never an offer', async () => {
    const member = await seedMember(pool());

    await harness.send(member, ['Can you connect me with Dana White at Hooli?']);

    expect(await eventsOf(pool(), 'community.request_needed', member.userId)).toHaveLength(1);
    const offers = await pool().query(`SELECT 1 FROM intro_offers WHERE offering_user_id = $1`, [member.userId]);
    expect(offers.rows).toEqual([]);
  });

  it('answers the item in focus on a bare yes when only that one was presented', async () => {
    const member = await seedMember(pool());
    const { id } = await addIntroOpportunity(pool(), member, { first: 'Ines', last: 'Duarte', company: 'Soylent' });
    await addIntroOpportunity(pool(), member, { first: 'Paul', last: 'Grant', company: 'Vandelay' });
    await addOutbound(pool(), member, 'Would you introduce Ines Duarte at Soylent to a member?');

    await harness.send(member, ['yes']);

    expect(await statusOf('intro_opportunities', id)).toBe('accepted');
    expect(await logged(member.userId, 'tool_call_refused')).toEqual([]);
  });
});
