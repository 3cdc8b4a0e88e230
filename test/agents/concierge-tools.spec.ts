import { AgentsHarness } from './agents-harness';
import {
  addCommunityRequest,
  addConnectionRequest,
  addIntroOpportunity,
  addOfferTo,
  addOutbound,
  eventsOf,
  seedMember,
} from './concierge-fixtures';

/** Every Concierge tool from the plain phrasings a member uses, on the local model, committed by the engine. */
describe('Concierge tools on the local model', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pool = () => harness.db.pool;
  const one = async <T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T> =>
    (await pool().query<T>(sql, params)).rows[0];

  it('accepts a named intro opportunity: status, priority, and intro.opportunity_accepted', async () => {
    const member = await seedMember(pool());
    const { id } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Maya', last: 'Patel', company: 'Acme' },
      {
        priority: { value: 80, status: 'presented', presentedDaysAgo: 1, count: 1 },
      },
    );

    const turn = await harness.send(member, ['Yes, happy to intro Maya']);

    expect(turn.replies).toEqual(['Thanks, I’ll set up the intro to Maya Patel.']);
    expect(await one(`SELECT status FROM intro_opportunities WHERE id = $1`, [id])).toEqual({ status: 'accepted' });
    expect(await one(`SELECT status FROM user_priorities WHERE item_id = $1`, [id])).toEqual({ status: 'actioned' });
    const [event] = await eventsOf(pool(), 'intro.opportunity_accepted', id);
    expect(event).toMatchObject({
      aggregate_type: 'intro_opportunity',
      created_by: 'concierge_agent',
      payload: { introOpportunityId: id, connectorUserId: member.userId, innovatorId: null },
    });
  });

  it('declines the intro the last text presented, on a bare "no thanks"', async () => {
    const member = await seedMember(pool());
    const { id } = await addIntroOpportunity(pool(), member, { first: 'Omar', last: 'Haddad', company: 'Umbrella' });
    await addOutbound(pool(), member, 'Would you introduce Omar Haddad at Umbrella to a member?');

    const turn = await harness.send(member, ['no thanks']);

    expect(turn.replies).toEqual(['Understood, I’ll pass on Omar Haddad.']);
    expect(await one(`SELECT status FROM intro_opportunities WHERE id = $1`, [id])).toEqual({ status: 'rejected' });
    expect(await eventsOf(pool(), 'intro.opportunity_declined', id)).toHaveLength(1);
  });

  it('accepts an offer made to the member, with their warm-intro bounty as an innovator', async () => {
    const member = await seedMember(pool());
    await pool().query(`UPDATE users SET innovator = true WHERE id = $1`, [member.userId]);
    await pool().query(`INSERT INTO innovators (user_id, warm_intro_bounty) VALUES ($1, 40)`, [member.userId]);
    const offerer = await seedMember(pool(), 'Lee');
    const id = await addOfferTo(pool(), member, offerer, 'Priya Raman');

    await harness.send(member, ['yes please, I would like the intro to Priya']);

    expect(await one(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [id])).toEqual({
      status: 'pending_connector_confirmation',
      bounty_credits: 40,
    });
    const [event] = await eventsOf(pool(), 'intro.offer_accepted', id);
    expect(event.payload).toEqual({
      introOfferId: id,
      offeringUserId: offerer.userId,
      introduceeUserId: member.userId,
      bountyCredits: 40,
    });
  });

  it('declines an offer made to the member', async () => {
    const member = await seedMember(pool());
    const id = await addOfferTo(pool(), member, await seedMember(pool(), 'Kim'), 'Jonas Berg');

    await harness.send(member, ['no, pass on Jonas']);

    expect(await one(`SELECT status FROM intro_offers WHERE id = $1`, [id])).toEqual({ status: 'declined' });
    expect(await eventsOf(pool(), 'intro.offer_declined', id)).toHaveLength(1);
  });

  it('confirms an intro the member offered and made', async () => {
    const member = await seedMember(pool());
    const introducee = await seedMember(pool(), 'Ravi');
    const id = await addOfferTo(pool(), introducee, member, 'Elena Rossi', 'pending_connector_confirmation');
    // The offer belongs to the introducee's row; the member is the offerer.
    await pool().query(`UPDATE intro_offers SET offering_user_id = $1 WHERE id = $2`, [member.userId, id]);

    const turn = await harness.send(member, ['I made the intro to Elena yesterday']);

    expect(turn.replies).toEqual(['Thanks for making the intro to Elena Rossi.']);
    const row = await one<{ status: string; intro_completed_at: Date | null }>(
      `SELECT status, intro_completed_at FROM intro_offers WHERE id = $1`,
      [id],
    );
    expect(row.status).toBe('completed');
    expect(row.intro_completed_at).not.toBeNull();
    expect(await eventsOf(pool(), 'intro.offer_confirmed', id)).toHaveLength(1);
  });

  it('accepts and declines people who asked to meet the member', async () => {
    const member = await seedMember(pool());
    const requestor = await seedMember(pool(), 'Zoe');
    const accepted = await addConnectionRequest(pool(), member, 'Zoe Park', requestor);
    const declined = await addConnectionRequest(pool(), member, 'Victor Hale');

    await harness.send(member, ['sure, happy to meet Zoe']);
    await harness.send(member, ['no, not Victor']);

    expect(await one(`SELECT status FROM connection_requests WHERE id = $1`, [accepted])).toEqual({
      status: 'accepted',
    });
    expect(await one(`SELECT status FROM connection_requests WHERE id = $1`, [declined])).toEqual({
      status: 'declined',
    });
    const [event] = await eventsOf(pool(), 'connection.request_accepted', accepted);
    expect(event.payload).toEqual({
      connectionRequestId: accepted,
      requestorUserId: requestor.userId,
      introduceeUserId: member.userId,
    });
    expect(await eventsOf(pool(), 'connection.request_declined', declined)).toHaveLength(1);
  });

  it('publishes a community request for "I want to meet..."', async () => {
    const member = await seedMember(pool());

    const turn = await harness.send(member, ['I want to meet someone who has scaled a fintech sales team']);

    expect(turn.replies).toEqual(['I’ll ask around the network and come back to you with what I hear.']);
    const [event] = await eventsOf(pool(), 'community.request_needed', member.userId);
    expect(event.payload).toMatchObject({
      requestingUserId: member.userId,
      requestingAgentType: 'concierge',
      contextId: member.conversationId,
      contextType: 'conversation',
      question: 'I want to meet someone who has scaled a fintech sales team',
      desiredOutcome: 'introduction',
      urgency: 'medium',
    });
  });

  it('requests solution research', async () => {
    const member = await seedMember(pool());

    await harness.send(member, ['Can you find a good vendor for expense management?']);

    const [event] = await eventsOf(pool(), 'user.inquiry.solution_needed', member.userId);
    expect(event.payload).toMatchObject({
      userId: member.userId,
      conversationId: member.conversationId,
      requestDescription: 'Can you find a good vendor for expense management?',
      urgency: 'medium',
    });
  });

  it('stores a goal and schedules a check-in 30 days out', async () => {
    const member = await seedMember(pool());

    await harness.send(member, ['My goal this quarter is to hire a head of finance for our European office']);

    const user = await one<{ goal: string }>(`SELECT response_pattern->>'user_goal' AS goal FROM users WHERE id = $1`, [
      member.userId,
    ]);
    expect(user.goal).toContain('hire a head of finance');
    const task = await one<{ days: number; agent_type: string }>(
      `SELECT round(extract(epoch FROM scheduled_for - now()) / 86400) AS days, agent_type
       FROM agent_tasks WHERE user_id = $1 AND task_type = 're_engagement_check' AND status = 'pending'`,
      [member.userId],
    );
    expect(task).toEqual({ days: '30', agent_type: 'concierge' });
  });

  it('records an answer to the pending community question once, and offers an intro for it', async () => {
    const member = await seedMember(pool());
    const requester = await seedMember(pool(), 'Ana');
    const requestId = await addCommunityRequest(pool(), requester, member);

    await harness.send(member, ['We use Gusto and it has been solid for us at that size']);
    const again = await harness.send(member, ['Also Rippling is worth a look for that size']);

    const responses = await pool().query(
      `SELECT response_text, verbatim_answer FROM community_responses WHERE request_id = $1`,
      [requestId],
    );
    expect(responses.rows).toEqual([
      {
        response_text: 'We use Gusto and it has been solid for us at that size',
        verbatim_answer: 'We use Gusto and it has been solid for us at that size',
      },
    ]);
    expect(await one(`SELECT responses_count FROM community_requests WHERE id = $1`, [requestId])).toEqual({
      responses_count: 1,
    });
    expect(await one(`SELECT status FROM user_priorities WHERE item_id = $1`, [requestId])).toEqual({
      status: 'responded',
    });
    const [event] = await eventsOf(pool(), 'community.response_received', requestId);
    expect(event.payload).toMatchObject({
      requestId,
      responderUserId: member.userId,
      requestingUserId: requester.userId,
    });
    // The answered request left the context: the second text records nothing.
    expect(again.replies).toHaveLength(1);
    expect(await eventsOf(pool(), 'community.response_received', requestId)).toHaveLength(1);
  });

  it('turns "I can intro you to X" into an offer to the member behind the request', async () => {
    const member = await seedMember(pool());
    const requester = await seedMember(pool(), 'Ben');
    const requestId = await addCommunityRequest(pool(), requester, member);

    const turn = await harness.send(member, ['I can intro you to Carla Mendes, she ran payroll at Stripe']);

    expect(turn.replies[0]).toBe(
      'Thanks for offering the intro to Carla Mendes. I’ll check it’s wanted and come back to you.',
    );
    const offer = await one<{ id: string; introducee_user_id: string; status: string; context_id: string }>(
      `SELECT id, introducee_user_id, status, context_id FROM intro_offers WHERE offering_user_id = $1`,
      [member.userId],
    );
    expect(offer).toMatchObject({
      introducee_user_id: requester.userId,
      status: 'pending_introducee_response',
      context_id: requestId,
    });
    const [event] = await eventsOf(pool(), 'intro.offer_created', offer.id);
    expect(event.payload).toMatchObject({
      introOfferId: offer.id,
      offeringUserId: member.userId,
      introduceeUserId: requester.userId,
      prospectName: 'Carla Mendes',
    });
  });
});
