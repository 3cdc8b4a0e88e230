import { WorkflowScheduler } from '../../src/workflows/workflow.scheduler';
import { expectEventually } from '../support/eventually';
import type { SeededUser } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

/**
 * What the people who asked a community question hear, on real PostgreSQL: the requester and the
 * members who attached their own question to it.
 */
describe('community askers', () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A question on its own topic (unique expertise and category), so it attaches only where meant to. */
  const ask = (asker: SeededUser, topic: string, requestSummary: string) =>
    h.emit(
      'community.request_needed',
      {
        requestingUserId: asker.userId,
        requestingAgentType: 'concierge',
        contextId: asker.conversationId,
        contextType: 'conversation',
        question: `What should I know about ${requestSummary}?`,
        expertiseNeeded: [topic],
        desiredOutcome: 'quick_thoughts',
        urgency: 'medium',
        requestSummary,
        category: topic,
      },
      { id: asker.userId, type: 'user' },
    );
  const requestOf = async (asker: SeededUser) => {
    const rows = await h.db.pool.query<{ id: string; status: string }>(
      `SELECT id, status FROM community_requests WHERE requesting_user_id = $1`,
      [asker.userId],
    );
    expect(rows.rows).toHaveLength(1);
    return rows.rows[0];
  };
  const expire = async (requestId: string) => {
    await h.db.pool.query(`UPDATE community_requests SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      requestId,
    ]);
    await expectEventually(async () =>
      expect(
        (await h.db.pool.query(`SELECT status FROM community_requests WHERE id = $1`, [requestId])).rows[0].status,
      ).toBe('closed'),
    );
  };
  /**
   * Every text ever queued about the request (superseded ones too: a second notice would count): on
   * its subject, or on an answer's (each member here hears of this request's answers only).
   */
  const onSubject = async (userId: string, requestId: string) =>
    (await h.queued(userId))
      .filter(
        (row) => row.subject === `community_request:${requestId}` || row.subject?.startsWith('community_response:'),
      )
      .map((row) => [row.final_message, row.priority]);

  it('tells the requester and every attached member, once each, that an expired request drew no answer', async () => {
    const asker = await h.member();
    await h.member({ expertise: ['kiln repair'] });
    await h.member({ expertise: ['kiln repair'] });
    await h.done(await ask(asker, 'kiln repair', 'kiln repair'));
    const request = await requestOf(asker);
    // One member attached two questions; one attached before the other asked again.
    const attached = await h.member();
    await h.done(await ask(attached, 'kiln repair', 'fixing my kiln'));
    await h.done(await ask(attached, 'kiln repair', 'fixing my kiln'));

    await expire(request.id);
    const scheduler = h.app.get(WorkflowScheduler);
    // Closed again (an operator reopening it, a second instance's late run): nobody is told twice.
    await h.db.pool.query(`UPDATE community_requests SET status = 'open' WHERE id = $1`, [request.id]);
    await expectEventually(async () => expect((await requestOf(asker)).status).toBe('closed'));
    await scheduler.tick();

    expect(await onSubject(asker.userId, request.id)).toEqual([
      [
        'Nobody in the network answered your question about kiln repair while it was open, and it has closed now. If it still matters, tell me more and I can ask again.',
        'low',
      ],
    ]);
    expect(await onSubject(attached.userId, request.id)).toEqual([
      [
        'Nobody in the network answered your question about fixing my kiln while it was open, and it has closed now. If it still matters, tell me more and I can ask again.',
        'low',
      ],
    ]);
    expect(await h.outboundBypassingQueue(asker.userId)).toBe(0);
  });

  it('says nothing more to askers when an expired request was answered: they heard each answer', async () => {
    const asker = await h.member();
    const expert = await h.member({ expertise: ['bee keeping'] });
    await h.member({ expertise: ['bee keeping'] });
    await h.done(await ask(asker, 'bee keeping', 'bee keeping'));
    const request = await requestOf(asker);
    await h.answer(request.id, expert, asker, 'Start with two hives.');
    await expectEventually(async () => expect(await onSubject(asker.userId, request.id)).toHaveLength(1));

    await expire(request.id);
    await h.app.get(WorkflowScheduler).tick();
    expect(await onSubject(asker.userId, request.id)).toEqual([
      ['Someone in the network answered your question about bee keeping: Start with two hives.', 'high'],
    ]);
  });
  it('lets a member who attached a question judge an answer they were told of, and nobody else', async () => {
    const asker = await h.member();
    const expert = await h.member({ expertise: ['cold storage'] });
    await h.member({ expertise: ['cold storage'] });
    await h.done(await ask(asker, 'cold storage', 'cold storage'));
    const request = await requestOf(asker);
    const attached = await h.member();
    await h.done(await ask(attached, 'cold storage', 'our cold chain'));
    const responseId = await h.answer(request.id, expert, asker, 'Rent a reefer before you buy one.');
    await expectEventually(async () => expect(await onSubject(attached.userId, request.id)).toHaveLength(1));
    // Someone else's request, which `attached` never attached to.
    const otherAsker = await h.member();
    const otherExpert = await h.member({ expertise: ['sourdough'] });
    await h.member({ expertise: ['sourdough'] });
    await h.done(await ask(otherAsker, 'sourdough', 'sourdough'));
    const other = await requestOf(otherAsker);
    const othersAnswer = await h.answer(other.id, otherExpert, otherAsker, 'Feed it twice a day.');

    const judge = (userId: string, context: Record<string, unknown>) =>
      h.addTask({ taskType: 'process_community_response', userId, context, maxRetries: 5 }).then((id) => h.runTask(id));
    const ledger = async (userId: string) =>
      (
        await h.db.pool.query<{ amount: number; idempotency_key: string }>(
          `SELECT amount, idempotency_key FROM credit_events WHERE user_id = $1 ORDER BY amount`,
          [userId],
        )
      ).rows;

    // The requester judges first; the attached member's judgement is theirs and leaves the requester's on the answer.
    expect(await judge(asker.userId, { responseId, usefulnessScore: 6 })).toMatchObject({ status: 'completed' });
    const impact = 'We rented one for the summer peak.';
    const first = await judge(attached.userId, { responseId, usefulnessScore: 9, impactDescription: impact });
    expect(first).toMatchObject({ status: 'completed', result_json: { credited: false, bonus: true } });
    const again = await judge(attached.userId, { responseId, usefulnessScore: 9, impactDescription: impact });
    expect(again).toMatchObject({
      status: 'completed',
      result_json: { credited: false, bonus: false, impactTaskId: null },
    });
    expect(
      (
        await h.db.pool.query(
          `SELECT usefulness_score, impact_description, status FROM community_responses WHERE id = $1`,
          [responseId],
        )
      ).rows[0],
    ).toEqual({ usefulness_score: 6, impact_description: null, status: 'rewarded' });
    expect(
      (
        await h.db.pool.query(
          `SELECT user_id, usefulness_score, impact_description FROM community_response_judgements WHERE response_id = $1`,
          [responseId],
        )
      ).rows,
    ).toEqual([{ user_id: attached.userId, usefulness_score: 9, impact_description: impact }]);
    expect(await ledger(expert.userId)).toEqual([
      { amount: 10, idempotency_key: `community.response:${responseId}:${expert.userId}` },
      { amount: 15, idempotency_key: `community.useful:${responseId}:${expert.userId}` },
    ]);
    // The expert hears the attached member's impact once, on its own subject.
    const [impactTask, ...more] = await h.tasks(expert.userId, 'notify_expert_of_impact');
    expect(more).toEqual([]);
    expect(await h.runTask(impactTask.id)).toMatchObject({ status: 'completed', result_json: { notified: true } });
    expect(
      (await h.queued(expert.userId))
        .filter((row) => row.subject?.startsWith('community_impact:'))
        .map((row) => [row.final_message, row.subject]),
    ).toEqual([
      [
        `Your answer about cold storage made a difference to another member who asked: ${impact}`,
        `community_impact:${responseId}:${attached.userId}`,
      ],
    ]);

    // Nobody acts on a request they did not attach to, on their own answer, or on an answer they were not told of.
    const refused: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        attached.userId,
        { responseId: othersAnswer, usefulnessScore: 10 },
        /only the requester or a member who attached a question judges/,
      ],
      [
        expert.userId,
        { responseId, usefulnessScore: 10 },
        /only the requester or a member who attached a question judges/,
      ],
    ];
    // The expert of the other request attaches a question here: still not a judge of their own answer.
    await h.done(await ask(otherExpert, 'sourdough', 'my starter'));
    refused.push([otherExpert.userId, { responseId: othersAnswer, usefulnessScore: 10 }, /is their own answer/]);
    // A member who attached after an answer whose notice has not run yet was not told of it.
    const untold = await h.member();
    await h.db.pool.query(
      `INSERT INTO community_request_attachments (request_id, user_id, question, request_summary, attached_event_id)
       VALUES ($1, $2, 'q', 'cold rooms', gen_random_uuid())`,
      [request.id, untold.userId],
    );
    refused.push([untold.userId, { responseId, usefulnessScore: 10 }, /was not told of community response/]);
    for (const [userId, context, error] of refused) {
      const row = await judge(userId, context);
      expect([row.status, row.retry_count]).toEqual(['failed', 1]);
      expect(row.error_log).toMatch(error);
    }
    expect(await ledger(otherExpert.userId)).toEqual([]);
  });
});
