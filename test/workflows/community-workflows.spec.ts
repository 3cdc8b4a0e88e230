import { WorkflowScheduler } from '../../src/workflows/workflow.scheduler';
import { expectEventually } from '../support/eventually';
import type { SeededUser } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

/** "Agent of humans" on real PostgreSQL: routing, answers, closing the loop, credits. */
describe('community workflows', () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const ask = (requester: SeededUser, fields: Record<string, unknown> = {}) =>
    h.emit(
      'community.request_needed',
      {
        requestingUserId: requester.userId,
        requestingAgentType: 'concierge',
        contextId: requester.conversationId,
        contextType: 'conversation',
        question: 'How do you price usage-based infrastructure for mid-market buyers?',
        expertiseNeeded: ['Pricing', 'SaaS'],
        desiredOutcome: 'quick_thoughts',
        urgency: 'high',
        requestSummary: 'usage-based pricing',
        category: 'pricing',
        ...fields,
      },
      { id: requester.userId, type: 'user' },
    );
  const requestsOf = async (requester: SeededUser) =>
    (
      await h.db.pool.query<{ id: string; target_user_ids: string[]; status: string; responses_count: number }>(
        `SELECT id, target_user_ids, status, responses_count FROM community_requests WHERE requesting_user_id = $1`,
        [requester.userId],
      )
    ).rows;
  const priorityStatus = async (userId: string, itemId: string) =>
    (
      await h.db.pool.query<{ status: string; value_score: number }>(
        `SELECT status, value_score FROM user_priorities WHERE user_id = $1 AND item_id = $2`,
        [userId, itemId],
      )
    ).rows[0];
  const respond = async (requestId: string, expert: SeededUser, text: string) =>
    (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, $3) RETURNING id`,
        [requestId, expert.userId, text],
      )
    ).rows[0].id;

  let requester: SeededUser;
  let experts: SeededUser[];
  let requestId: string;

  it('routes a question to up to 5 verified experts whose expertise overlaps, never the requester, once', async () => {
    requester = await h.member({ first_name: 'Quinn', expertise: ['pricing'] });
    experts = [];
    for (let i = 0; i < 6; i += 1)
      experts.push(await h.member({ first_name: `Expert${i}`, expertise: i % 2 ? ['pricing', 'saas'] : ['PRICING'] }));
    const unverified = await h.member({ verified: false, poc_agent_type: 'bouncer', expertise: ['pricing', 'saas'] });
    const outsider = await h.member({ expertise: ['gardening'] });

    const id = await ask(requester);
    await h.done(id);
    await h.replay(id);
    const [request] = await requestsOf(requester);
    expect(await requestsOf(requester)).toHaveLength(1);
    requestId = request.id;
    expect(request.target_user_ids).toHaveLength(5);
    const targets = new Set(request.target_user_ids);
    // Both-area experts first (more overlap), then one of the single-area ones.
    for (const expert of experts.filter((_, i) => i % 2)) expect(targets.has(expert.userId)).toBe(true);
    for (const excluded of [requester, unverified, outsider]) expect(targets.has(excluded.userId)).toBe(false);
    for (const userId of request.target_user_ids) {
      expect(await priorityStatus(userId, requestId)).toEqual({ status: 'active', value_score: 80 });
    }
    const routed = (await h.eventsOfType('community.request_routed')).filter((e) => e.payload.requestId === requestId);
    expect(routed).toEqual([
      {
        payload: expect.objectContaining({
          expertUserIds: request.target_user_ids,
          requestingUserId: requester.userId,
        }),
        created_by: 'workflows',
      },
    ]);
  });

  it('attaches a similar question of the last 7 days instead of routing it again, and says when nobody knows', async () => {
    const other = await h.member();
    await h.done(await ask(other, { expertiseNeeded: ['saas'] }));
    expect(await requestsOf(other)).toEqual([]);
    const attached = (await h.eventsOfType('community.request_attached')).filter(
      (e) => e.payload.requestingUserId === other.userId,
    );
    expect(attached).toEqual([{ payload: expect.objectContaining({ requestId }), created_by: 'workflows' }]);

    await h.done(await ask(other, { expertiseNeeded: ['underwater basket weaving'], category: 'crafts' }));
    expect(await requestsOf(other)).toEqual([]);
    expect(
      (await h.eventsOfType('community.no_experts_found')).filter((e) => e.payload.requestingUserId === other.userId),
    ).toHaveLength(1);
  });

  it('tells the requester about an answer through the queue, once, and actions the expert priority', async () => {
    const [expertId] = (await requestsOf(requester))[0].target_user_ids;
    const expert = experts.find((e) => e.userId === expertId)!;
    const responseId = await respond(requestId, expert, 'Anchor on a committed minimum, then meter overage.');
    const id = await h.emit(
      'community.response_received',
      { requestId, responseId, responderUserId: expert.userId, requestingUserId: requester.userId },
      { id: requestId, type: 'community_request' },
    );
    await h.done(id);
    await h.replay(id);
    const queued = await h.queued(requester.userId);
    expect(queued.map((row) => [row.final_message, row.priority, row.subject])).toEqual([
      [
        'Someone in the network answered your question about usage-based pricing: Anchor on a committed minimum, then meter overage.',
        'high',
        `community_request:${requestId}`,
      ],
    ]);
    expect((await priorityStatus(expert.userId, requestId)).status).toBe('actioned');
    expect((await requestsOf(requester))[0]).toMatchObject({ status: 'responses_received', responses_count: 1 });

    const wrong = await h.emit(
      'community.response_received',
      { requestId, responseId, responderUserId: requester.userId, requestingUserId: requester.userId },
      { id: requestId, type: 'community_request' },
    );
    expect((await h.dead(wrong)).last_error).toBe(`community response ${responseId} is not by ${requester.userId}`);
  });

  it('closes an expired request on the timer: the helpers thanked and credited once, the others released', async () => {
    const [helperId, ...others] = (await requestsOf(requester))[0].target_user_ids;
    await h.db.pool.query(`UPDATE community_requests SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      requestId,
    ]);
    await expectEventually(async () => expect((await requestsOf(requester))[0].status).toBe('closed'));
    const scheduler = h.app.get(WorkflowScheduler);
    await scheduler.tick();
    await scheduler.tick();

    const helperTexts = (await h.queued(helperId)).filter((row) => row.subject === `community_request:${requestId}`);
    expect(helperTexts.map((row) => row.final_message)).toEqual([
      'Thanks for answering the question about usage-based pricing. It is closed now, and your answer helped. 10 credits are in your account.',
    ]);
    const ledger = await h.db.pool.query(`SELECT amount FROM credit_events WHERE user_id = $1`, [helperId]);
    expect(ledger.rows).toEqual([{ amount: 10 }]);
    for (const userId of others) {
      expect((await priorityStatus(userId, requestId)).status).toBe('expired');
      expect(await h.queued(userId)).toEqual([]);
    }
    const closed = (await h.eventsOfType('community.request_closed')).filter((e) => e.payload.requestId === requestId);
    expect(closed).toEqual([{ payload: { requestId, reason: 'expired', responses: 1 }, created_by: 'workflows' }]);
  });

  it('closes a request every targeted expert answered', async () => {
    const asker = await h.member();
    const expert = await h.member({ expertise: ['tax law'] });
    await h.done(await ask(asker, { expertiseNeeded: ['Tax Law'], category: 'tax', requestSummary: 'tax residency' }));
    const [request] = await requestsOf(asker);
    expect(request.target_user_ids).toEqual([expert.userId]);
    const responseId = await respond(request.id, expert, 'It depends on days present.');
    await h.done(
      await h.emit(
        'community.response_received',
        { requestId: request.id, responseId, responderUserId: expert.userId, requestingUserId: asker.userId },
        { id: request.id, type: 'community_request' },
      ),
    );
    await expectEventually(async () => expect((await requestsOf(asker))[0].status).toBe('closed'));
    const closed = (await h.eventsOfType('community.request_closed')).filter((e) => e.payload.requestId === request.id);
    expect(closed).toEqual([
      { payload: { requestId: request.id, reason: 'fully_answered', responses: 1 }, created_by: 'workflows' },
    ]);
  });

  it('keeps every balance equal to the sum of its ledger', async () => {
    const rows = await h.db.pool.query<{ credit_balance: number; ledger: number }>(
      `SELECT u.credit_balance, COALESCE(sum(c.amount), 0)::int AS ledger
       FROM users u LEFT JOIN credit_events c ON c.user_id = u.id GROUP BY u.id`,
    );
    expect(rows.rows.filter((row) => row.credit_balance > 0).length).toBeGreaterThanOrEqual(2);
    expect(rows.rows.filter((row) => row.credit_balance !== row.ledger)).toEqual([]);
  });
});
