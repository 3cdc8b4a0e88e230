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
  /** Every text ever queued on the request's subject (superseded ones too: a second notice would count). */
  const onSubject = async (userId: string, requestId: string) =>
    (await h.queued(userId))
      .filter((row) => row.subject === `community_request:${requestId}`)
      .map((row) => [row.final_message, row.priority]);
  const answer = async (requestId: string, expert: SeededUser, asker: SeededUser, text: string) => {
    const responseId = (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, $3) RETURNING id`,
        [requestId, expert.userId, text],
      )
    ).rows[0].id;
    await h.done(
      await h.emit(
        'community.response_received',
        { requestId, responseId, responderUserId: expert.userId, requestingUserId: asker.userId },
        { id: requestId, type: 'community_request' },
      ),
    );
    return responseId;
  };

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
    await answer(request.id, expert, asker, 'Start with two hives.');
    await expectEventually(async () => expect(await onSubject(asker.userId, request.id)).toHaveLength(1));

    await expire(request.id);
    await h.app.get(WorkflowScheduler).tick();
    expect(await onSubject(asker.userId, request.id)).toEqual([
      ['Someone in the network answered your question about bee keeping: Start with two hives.', 'high'],
    ]);
  });
});
