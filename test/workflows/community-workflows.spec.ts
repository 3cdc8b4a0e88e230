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

  /** Quiet hours around now (UTC): the member's texts stay queued, where a newer one could supersede them. */
  const inQuietHours = async (member: SeededUser) => {
    const clock = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);
    await h.db.pool.query(
      `UPDATE users SET timezone = 'UTC', quiet_hours_start = $2, quiet_hours_end = $3 WHERE id = $1`,
      [member.userId, clock(-60), clock(60)],
    );
  };

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
    // Each expert gets one community_request_available task (replay adds none); the task writes the priority.
    for (const userId of request.target_user_ids) {
      const tasks = await h.tasks(userId, 'community_request_available');
      expect(tasks).toEqual([
        expect.objectContaining({ agent_type: 'account_manager', priority: 'high', context_json: { requestId } }),
      ]);
      await expectEventually(async () =>
        expect(await priorityStatus(userId, requestId)).toEqual({ status: 'active', value_score: 80 }),
      );
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

    const lonely = await ask(other, { expertiseNeeded: ['underwater basket weaving'], category: 'crafts' });
    await h.done(lonely);
    await h.replay(lonely);
    expect(await requestsOf(other)).toEqual([]);
    expect(
      (await h.eventsOfType('community.no_experts_found')).filter((e) => e.payload.requestingUserId === other.userId),
    ).toHaveLength(1);
    // The requester hears that nobody fits, once, in a low-priority text.
    expect((await h.texts(other.userId)).map((row) => [row.final_message, row.priority])).toEqual([
      [
        "I asked around about usage-based pricing, but nobody in the network fits that one yet. I'll keep it in mind and tell you if that changes.",
        'low',
      ],
    ]);
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
    const queued = await expectEventually(async () => {
      const rows = await h.queued(requester.userId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(await h.tasks(requester.userId, 'community_response_available')).toEqual([
      expect.objectContaining({ status: 'completed', priority: 'high', context_json: { requestId, responseId } }),
    ]);
    expect(await priorityStatus(requester.userId, responseId)).toEqual({ status: 'active', value_score: 75 });
    expect(queued.map((row) => [row.final_message, row.priority, row.subject])).toEqual([
      [
        'Someone in the network answered your question about usage-based pricing: Anchor on a committed minimum, then meter overage.',
        'high',
        `community_response:${responseId}`,
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

  it('tells every member who attached a question of each answer, once per answer and member, under replay', async () => {
    const asker = await h.member();
    await inQuietHours(asker);
    const [first, second] = [
      await h.member({ expertise: ['solar permits'] }),
      await h.member({ expertise: ['solar permits'] }),
    ];
    const solar = { expertiseNeeded: ['Solar Permits'], category: 'energy' };
    await h.done(await ask(asker, { ...solar, requestSummary: 'solar permits' }));
    const [request] = await requestsOf(asker);
    const attachments = async (userId: string) =>
      (
        await h.db.pool.query<{ request_id: string; request_summary: string }>(
          `SELECT request_id, request_summary FROM community_request_attachments WHERE user_id = $1 ORDER BY created_at`,
          [userId],
        )
      ).rows;

    // Attached twice (two questions, one replayed): recorded per question, told once per answer.
    const early = await h.member();
    await inQuietHours(early);
    const earlyAsk = await ask(early, {
      ...solar,
      expertiseNeeded: ['solar permits'],
      requestSummary: 'rooftop solar',
    });
    await h.done(earlyAsk);
    await h.replay(earlyAsk);
    await h.done(await ask(early, { ...solar, requestSummary: 'rooftop solar' }));
    expect(await attachments(early.userId)).toEqual([
      { request_id: request.id, request_summary: 'rooftop solar' },
      { request_id: request.id, request_summary: 'rooftop solar' },
    ]);
    expect(await requestsOf(early)).toEqual([]);

    const answered = async (expert: SeededUser, text: string) => {
      const responseId = await respond(request.id, expert, text);
      const id = await h.emit(
        'community.response_received',
        { requestId: request.id, responseId, responderUserId: expert.userId, requestingUserId: asker.userId },
        { id: request.id, type: 'community_request' },
      );
      await h.done(id);
      await h.replay(id);
      return responseId;
    };
    const firstAnswer = await answered(first, 'File with the county before the utility.');

    // A member who attaches after that answer hears of it at once.
    const late = await h.member();
    await inQuietHours(late);
    const lateAsk = await ask(late, { ...solar, requestSummary: 'solar paperwork' });
    await h.done(lateAsk);
    await h.replay(lateAsk);
    const secondAnswer = await answered(second, 'Use a permit expediter.');

    // Every answer notice ever queued. The members are in quiet hours, so both wait in the queue:
    // the second answer must not supersede the first, since each carries its own news.
    const notices = (userId: string) =>
      expectEventually(async () => {
        const tasks = await h.tasks(userId, 'community_response_available');
        expect(tasks.map((task) => task.status)).toEqual(tasks.map(() => 'completed'));
        const rows = (await h.queued(userId)).filter((row) => row.final_message.startsWith('Someone in the network'));
        expect(rows).toHaveLength(2);
        expect(rows.map((row) => row.status)).toEqual(['queued', 'queued']);
        return rows.map((row) => row.final_message).sort();
      });
    expect(await notices(asker.userId)).toEqual([
      'Someone in the network answered your question about solar permits: File with the county before the utility.',
      'Someone in the network answered your question about solar permits: Use a permit expediter.',
    ]);
    expect(await notices(early.userId)).toEqual([
      'Someone in the network answered your question about rooftop solar: File with the county before the utility.',
      'Someone in the network answered your question about rooftop solar: Use a permit expediter.',
    ]);
    expect(await notices(late.userId)).toEqual([
      'Someone in the network answered your question about solar paperwork: File with the county before the utility.',
      'Someone in the network answered your question about solar paperwork: Use a permit expediter.',
    ]);
    for (const member of [early, late]) {
      for (const responseId of [firstAnswer, secondAnswer]) {
        expect(await priorityStatus(member.userId, responseId)).toEqual({ status: 'active', value_score: 75 });
      }
    }
    // A duplicate notice task (another component, a retry) texts nobody twice.
    const stray = await h.runTask(
      await h.addTask({
        taskType: 'community_response_available',
        userId: late.userId,
        context: { requestId: request.id, responseId: firstAnswer },
      }),
    );
    expect(stray).toMatchObject({ status: 'completed', result_json: { queued: false } });
    expect(await notices(late.userId)).toHaveLength(2);
    // The experts are not told of their own answers.
    for (const expert of [first, second]) {
      expect((await h.queued(expert.userId)).filter((row) => row.final_message.startsWith('Someone'))).toEqual([]);
    }
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

  it('rewards an answer the requester judged once, tells the expert its impact once, and the closer pays nothing twice', async () => {
    const asker = await h.member();
    const expert = await h.member({ first_name: 'Ivo', expertise: ['freight'] });
    // A second expert who does not answer keeps the request open until it expires.
    await h.member({ expertise: ['freight'] });
    await h.done(
      await ask(asker, { expertiseNeeded: ['Freight'], category: 'logistics', requestSummary: 'freight brokers' }),
    );
    const [request] = await requestsOf(asker);
    const responseId = await respond(request.id, expert, 'Start with two regional brokers.');
    await h.done(
      await h.emit(
        'community.response_received',
        { requestId: request.id, responseId, responderUserId: expert.userId, requestingUserId: asker.userId },
        { id: request.id, type: 'community_request' },
      ),
    );
    const judged = { responseId, usefulnessScore: 9, impactDescription: 'We signed our first freight client with it.' };
    const first = await h.runTask(
      await h.addTask({ taskType: 'process_community_response', userId: asker.userId, context: judged }),
    );
    expect(first).toMatchObject({ status: 'completed', result_json: { credited: true, bonus: true } });
    // The same judgement again (a duplicate task): no credit, no second impact task.
    const again = await h.runTask(
      await h.addTask({ taskType: 'process_community_response', userId: asker.userId, context: judged }),
    );
    expect(again).toMatchObject({
      status: 'completed',
      result_json: { credited: false, bonus: false, impactTaskId: null },
    });
    const ledger = async () =>
      (
        await h.db.pool.query<{ amount: number; idempotency_key: string }>(
          `SELECT amount, idempotency_key FROM credit_events WHERE user_id = $1 ORDER BY amount`,
          [expert.userId],
        )
      ).rows;
    expect(await ledger()).toEqual([
      { amount: 10, idempotency_key: `community.response:${responseId}:${expert.userId}` },
      { amount: 15, idempotency_key: `community.useful:${responseId}:${expert.userId}` },
    ]);
    const answer = await h.db.pool.query(
      `SELECT usefulness_score, impact_description, status, credits_awarded FROM community_responses WHERE id = $1`,
      [responseId],
    );
    expect(answer.rows[0]).toEqual({
      usefulness_score: 9,
      impact_description: judged.impactDescription,
      status: 'rewarded',
      credits_awarded: 25,
    });

    const [impactTask, ...more] = await h.tasks(expert.userId, 'notify_expert_of_impact');
    expect(more).toEqual([]);
    expect(await h.runTask(impactTask.id)).toMatchObject({ status: 'completed', result_json: { notified: true } });
    const stray = await h.addTask({
      taskType: 'notify_expert_of_impact',
      userId: expert.userId,
      context: { requestId: request.id, responseId },
    });
    expect(await h.runTask(stray)).toMatchObject({ status: 'completed', result_json: { notified: false } });
    const impactTexts = (await h.queued(expert.userId)).filter(
      (row) => row.subject === `community_impact:${responseId}`,
    );
    expect(impactTexts.map((row) => [row.final_message, row.priority])).toEqual([
      ['Your answer about freight brokers made a difference: We signed our first freight client with it.', 'low'],
    ]);
    expect(await priorityStatus(expert.userId, responseId)).toEqual({ status: 'active', value_score: 40 });
    expect(
      (await h.eventsOfType('community.expert_notified_of_impact')).filter((e) => e.payload.responseId === responseId),
    ).toHaveLength(1);

    // The request expires and the timer closes it: the answer was already paid.
    await h.db.pool.query(`UPDATE community_requests SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      request.id,
    ]);
    await expectEventually(async () => expect((await requestsOf(asker))[0].status).toBe('closed'));
    await h.app.get(WorkflowScheduler).tick();
    expect(await ledger()).toHaveLength(2);
  });

  it('fails community tasks that can never run at once, with the field or row named', async () => {
    const asker = await h.member();
    const expert = await h.member({ expertise: ['zoning'] });
    const stranger = await h.member();
    await h.done(await ask(asker, { expertiseNeeded: ['zoning'], category: 'real estate', requestSummary: 'zoning' }));
    const [request] = await requestsOf(asker);
    const responseId = await respond(request.id, expert, 'Ask the city early.');
    const nowhere = '00000000-0000-4000-8000-000000000000';
    const cases: Array<[string, string, unknown, RegExp]> = [
      [
        'community_request_available',
        stranger.userId,
        { requestId: request.id },
        /is not an expert of community request/,
      ],
      ['community_request_available', expert.userId, { requestId: nowhere }, /^community request .* does not exist$/],
      [
        'community_request_available',
        expert.userId,
        {},
        /^invalid community_request_available context: requestId must be a UUID$/,
      ],
      ['community_response_available', stranger.userId, { requestId: request.id, responseId }, /was not asked by/],
      ['community_response_available', asker.userId, { requestId: request.id, responseId: nowhere }, /does not exist$/],
      [
        'process_community_response',
        asker.userId,
        { responseId, usefulnessScore: 11 },
        /usefulnessScore must not be greater than 10/,
      ],
      ['process_community_response', asker.userId, { responseId: nowhere, usefulnessScore: 5 }, /does not exist$/],
      [
        'process_community_response',
        expert.userId,
        { responseId, usefulnessScore: 10 },
        /only the requester or a member who attached a question judges/,
      ],
      ['notify_expert_of_impact', stranger.userId, { requestId: request.id, responseId }, /is not by/],
      ['notify_expert_of_impact', expert.userId, { requestId: request.id, responseId }, /has no impact to tell$/],
    ];
    for (const [taskType, userId, context, error] of cases) {
      const row = await h.runTask(await h.addTask({ taskType, userId, context, maxRetries: 5 }));
      expect([taskType, row.status, row.retry_count]).toEqual([taskType, 'failed', 1]);
      expect(row.error_log).toMatch(error);
    }
    // A request that closed meanwhile: the expert's task completes and gives no priority.
    await h.db.pool.query(`UPDATE community_requests SET status = 'closed' WHERE id = $1`, [request.id]);
    const late = await h.runTask(
      await h.addTask({
        taskType: 'community_request_available',
        userId: expert.userId,
        context: { requestId: request.id },
      }),
    );
    expect(late).toMatchObject({ status: 'completed', result_json: { skipped: 'request closed' } });
    expect(await h.queued(stranger.userId)).toEqual([]);
    const credits = await h.db.pool.query(`SELECT count(*)::int AS n FROM credit_events WHERE user_id = $1`, [
      expert.userId,
    ]);
    expect(credits.rows[0].n).toBe(0);
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
