import { insertInbound } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

describe('user and notification workflows', () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const activity = async (userId: string, conversationId: string) =>
    (
      await h.db.pool.query<{ last_active_at: Date | null; last_message_at: Date | null }>(
        `SELECT u.last_active_at, c.last_message_at FROM users u JOIN conversations c ON c.user_id = u.id
         WHERE u.id = $1 AND c.id = $2`,
        [userId, conversationId],
      )
    ).rows[0];

  it('keeps activity current on every inbound text and on user.message.received, never backwards', async () => {
    const user = await h.member();
    await insertInbound(h.db.pool, user, ['hello']);
    const afterText = await activity(user.userId, user.conversationId);
    expect(afterText.last_active_at).not.toBeNull();
    expect(afterText.last_message_at).toEqual(afterText.last_active_at);

    const later = new Date(Date.now() + 60_000).toISOString();
    const id = await h.emit('user.message.received', {
      userId: user.userId,
      conversationId: user.conversationId,
      receivedAt: later,
    });
    await h.done(id);
    expect(await activity(user.userId, user.conversationId)).toEqual({
      last_active_at: new Date(later),
      last_message_at: new Date(later),
    });
    const older = await h.emit('user.message.received', { userId: user.userId, receivedAt: '2020-01-01T00:00:00Z' });
    await h.done(older);
    expect((await activity(user.userId, user.conversationId)).last_active_at).toEqual(new Date(later));
  });

  it('welcomes a verified member once, in the voice of their agent, with their top priorities', async () => {
    const user = await h.member({ first_name: 'Grace', poc_agent_type: 'innovator' });
    await h.db.pool.query(
      `INSERT INTO user_priorities (user_id, item_type, item_id, value_score, priority_rank, item_summary)
       VALUES ($1, 'intro_opportunity', gen_random_uuid(), 90, 1, 'an intro to Ana at Rivet'),
              ($1, 'community_request', gen_random_uuid(), 60, 2, 'a question about pricing')`,
      [user.userId],
    );
    const id = await h.emit('user.verified', { userId: user.userId });
    await h.done(id);
    await h.replay(id);
    // The event schedules the notify_user_of_priorities task a minute out; nothing is queued yet.
    const [task, ...others] = await h.tasks(user.userId);
    expect(others).toEqual([]);
    expect(task).toMatchObject({
      task_type: 'notify_user_of_priorities',
      agent_type: 'innovator',
      status: 'pending',
      priority: 'high',
      context_json: expect.objectContaining({ reason: 'welcome' }),
    });
    expect(task.scheduled_for.getTime() - Date.now()).toBeGreaterThan(30_000);
    expect(await h.queued(user.userId)).toEqual([]);
    expect(await h.runTask(task.id)).toMatchObject({
      status: 'completed',
      result_json: { queued: true, priorities: 2 },
    });
    const queued = await h.queued(user.userId);
    expect(queued.map((row) => row.final_message)).toEqual([
      "Welcome in, Grace. You're verified, and I'm your point of contact here from now on.",
      'A few things are already waiting for you: an intro to Ana at Rivet; a question about pricing. Reply about any of them whenever suits you.',
    ]);
    expect(queued.every((row) => row.agent_id === 'innovator' && row.subject === 'welcome')).toBe(true);
    // Never verifies anyone: the flag is as the operator left it. A second approval schedules
    // nothing, and a welcome task from elsewhere finds the member already welcomed.
    const second = await h.emit('user.verified', { userId: user.userId });
    await h.done(second);
    expect(await h.tasks(user.userId)).toHaveLength(1);
    const stray = await h.addTask({
      taskType: 'notify_user_of_priorities',
      userId: user.userId,
      context: { reason: 'welcome' },
    });
    expect(await h.runTask(stray)).toMatchObject({ status: 'completed', result_json: { queued: false } });
    expect(await h.queued(user.userId)).toHaveLength(2);
  });

  it('runs notify_user_of_priorities as a digest, and fails a task that can never run with a clear error', async () => {
    const member = await h.member({ poc_agent_type: 'concierge' });
    const idle = await h.member();
    const unverified = await h.member({ verified: false, poc_agent_type: 'bouncer' });
    await h.db.pool.query(
      `INSERT INTO user_priorities (user_id, item_type, item_id, value_score, priority_rank, item_summary)
       VALUES ($1, 'connection_request', gen_random_uuid(), 70, 1, 'Lena wants to meet you')`,
      [member.userId],
    );
    const digest = await h.addTask({ taskType: 'notify_user_of_priorities', userId: member.userId, context: {} });
    expect(await h.runTask(digest)).toMatchObject({ status: 'completed', result_json: { queued: true } });
    expect(await h.texts(member.userId)).toEqual([
      expect.objectContaining({
        agent_id: 'concierge',
        subject: 'priorities',
        final_message:
          'A few things are already waiting for you: Lena wants to meet you. Reply about any of them whenever suits you.',
      }),
    ]);
    const nothing = await h.addTask({ taskType: 'notify_user_of_priorities', userId: idle.userId, context: {} });
    expect(await h.runTask(nothing)).toMatchObject({ status: 'completed', result_json: { queued: false } });
    expect(await h.queued(idle.userId)).toEqual([]);
    const cases: Array<[string | null, unknown, RegExp]> = [
      [unverified.userId, { reason: 'welcome' }, /is not verified; nothing to welcome$/],
      [null, {}, /^notify_user_of_priorities task has no user_id$/],
      [member.userId, { reason: 'party' }, /^invalid notify_user_of_priorities context: reason must be one of/],
    ];
    for (const [userId, context, error] of cases) {
      const id = await h.addTask({ taskType: 'notify_user_of_priorities', userId, context, maxRetries: 5 });
      const row = await h.runTask(id);
      expect(row).toMatchObject({ status: 'failed', retry_count: 1 });
      expect(row.error_log).toMatch(error);
    }
    expect(await h.queued(unverified.userId)).toEqual([]);
  });

  it('dead-letters bad user payloads at once with a clear error naming the field, never the value', async () => {
    const unverified = await h.member({ verified: false, poc_agent_type: 'bouncer' });
    const cases: Array<[string, unknown, RegExp]> = [
      ['user.verified', { userId: 'not-a-uuid' }, /^invalid user.verified payload: userId must be a UUID$/],
      ['user.verified', {}, /^invalid user.verified payload: userId must be a UUID \(or aggregate_id the user\)$/],
      [
        'user.verified',
        { userId: '00000000-0000-4000-8000-000000000000' },
        /^user 00000000-0000-4000-8000-000000000000 does not exist$/,
      ],
      ['user.verified', { userId: unverified.userId }, /is not verified; nothing to welcome/],
      [
        'user.message.received',
        { userId: unverified.userId, receivedAt: 'yesterday-ish' },
        /receivedAt must be a valid ISO 8601/,
      ],
      ['message.send.requested', { userId: unverified.userId, text: '' }, /text should not be empty/],
      [
        'priority.update',
        {
          userId: unverified.userId,
          priorities: [{ itemType: 'x', itemId: 'nope', valueScore: 101 }],
          maxScore: 1,
          itemCount: 1,
        },
        /priorities\.0\.itemId must be a UUID.*valueScore must not be greater than 100/,
      ],
    ];
    for (const [type, payload, error] of cases) {
      const id = await h.emit(type, payload);
      const row = await h.dead(id);
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(error);
      expect((await h.deadLetter(id))?.error_message).toBe(row.last_error);
    }
    expect(await h.queued(unverified.userId)).toEqual([]);
  });

  it('records a research request once, with a priority and solution.research_initiated, and never loops', async () => {
    const user = await h.member();
    const id = await h.emit('user.inquiry.solution_needed', {
      userId: user.userId,
      conversationId: user.conversationId,
      requestDescription: 'a payroll tool for contractors in Brazil',
      category: 'payroll',
      urgency: 'high',
    });
    await h.done(id);
    await h.replay(id);
    const tasks = await h.tasks(user.userId);
    expect(tasks).toEqual([
      expect.objectContaining({
        task_type: 'research_solution',
        status: 'pending',
        context_json: expect.objectContaining({
          requestDescription: 'a payroll tool for contractors in Brazil',
          urgency: 'high',
        }),
      }),
    ]);
    // Recorded now, acknowledged later: the task is due after the agent's own reply.
    expect(tasks[0].scheduled_for.getTime() - Date.now()).toBeGreaterThan(60_000);
    expect(
      (await h.eventsOfType('solution.research_initiated')).filter((e) => e.payload.userId === user.userId),
    ).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ taskId: tasks[0].id, category: 'payroll' }) }),
    ]);
    expect(await h.runTask(tasks[0].id)).toMatchObject({
      status: 'completed',
      result_json: { status: 'awaiting_research', category: 'payroll', urgency: 'high' },
    });
    const priorities = await h.db.pool.query(
      `SELECT item_type, item_id, value_score FROM user_priorities WHERE user_id = $1`,
      [user.userId],
    );
    expect(priorities.rows).toEqual([{ item_type: 'solution_update', item_id: tasks[0].id, value_score: 75 }]);
    expect(await h.texts(user.userId)).toEqual([
      expect.objectContaining({
        priority: 'low',
        subject: `solution:${tasks[0].id}`,
        final_message:
          "Quick note: your request about payroll is with our research team now. I'll come back to you as soon as there's something worth your time.",
      }),
    ]);
    // No loop: the task emitted nothing, and no second research task exists.
    expect(await h.eventsOfType('user.inquiry.solution_needed')).toHaveLength(1);
    expect(await h.tasks(user.userId)).toHaveLength(1);
    // A research task with a bad context fails at once, with the field named.
    const bad = await h.addTask({ taskType: 'research_solution', userId: user.userId, context: { urgency: 'soon' } });
    const failed = await h.runTask(bad);
    expect(failed.status).toBe('failed');
    expect(failed.error_log).toMatch(/^invalid research_solution context: requestDescription .*urgency must be one of/);
  });

  it('logs user.verification.pending for the operator once, even when the event is replayed, and sends nothing', async () => {
    const member = await h.member({ verified: false, poc_agent_type: 'bouncer' });
    // The Bouncer's payload: no userId; the row's aggregate is the user.
    const id = await h.emit(
      'user.verification.pending',
      { verification_email: 'pat@example.com' },
      { id: member.userId, type: 'user' },
    );
    await h.done(id);
    await h.replay(id);
    const logged = await h.db.pool.query(
      `SELECT agent_type, input_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'verification_pending'`,
      [member.userId],
    );
    expect(logged.rows).toEqual([{ agent_type: 'workflows', input_data: { eventId: id } }]);
    expect(await h.queued(member.userId)).toEqual([]);
    expect(await h.outboundBypassingQueue(member.userId)).toBe(0);
    const nobody = '00000000-0000-4000-8000-000000000000';
    const orphan = await h.emit('user.verification.pending', {}, { id: nobody, type: 'user' });
    expect((await h.dead(orphan)).last_error).toBe(`user ${nobody} does not exist`);
  });

  it('upgrades a new member who was an uploaded prospect into a connection request, once', async () => {
    const innovator = await h.member({ first_name: 'Ivy', poc_agent_type: 'innovator' });
    const member = await h.member({ first_name: 'Pat', verified: false, poc_agent_type: 'bouncer' });
    await h.db.pool.query(
      `INSERT INTO prospects (innovator_id, first_name, last_name, phone_number) VALUES ($1, 'Pat', 'Lee', $2)`,
      [innovator.userId, member.phone],
    );
    // The Bouncer's payload: no userId; the row's aggregate is the user.
    const id = await h.emit(
      'user.onboarding_info_complete',
      { onboarding_completed_at: new Date().toISOString(), ready_for_manual_approval: true },
      { id: member.userId, type: 'user' },
    );
    await h.done(id);
    await h.replay(id);
    const requests = await h.db.pool.query(
      `SELECT requestor_user_id, status FROM connection_requests WHERE introducee_user_id = $1`,
      [member.userId],
    );
    expect(requests.rows).toEqual([{ requestor_user_id: innovator.userId, status: 'open' }]);
    const upgraded = await h.eventsOfType('prospects.upgraded_on_signup');
    expect(upgraded.filter((e) => e.payload.userId === member.userId)).toEqual([
      { payload: expect.objectContaining({ innovatorId: innovator.userId }), created_by: 'workflows' },
    ]);
    const logged = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM agent_actions_log WHERE user_id = $1 AND action_type = 'onboarding_info_complete'`,
      [member.userId],
    );
    expect(logged.rows[0].n).toBe(1);
  });

  it('decides when a priority notification goes: now, the next business morning, or not at all', async () => {
    const active = await h.member();
    // No quiet hours for the active member: the running dispatcher would otherwise hold the
    // send-now text until morning when this runs at night in the member's time zone.
    await h.db.pool.query(
      `UPDATE users SET last_active_at = now(), quiet_hours_start = '00:00', quiet_hours_end = '00:00' WHERE id = $1`,
      [active.userId],
    );
    const idle = await h.member();
    const quiet = await h.member();
    const item = (valueScore: number) => ({
      itemType: 'intro_opportunity',
      itemId: crypto.randomUUID(),
      valueScore,
      content: 'an intro to a buyer at Acme',
    });
    const events = [
      await h.emit('priority.update', {
        userId: active.userId,
        priorities: [item(50), item(95)],
        maxScore: 95,
        itemCount: 2,
      }),
      await h.emit('priority.update', { userId: idle.userId, priorities: [item(95)], maxScore: 95, itemCount: 1 }),
      await h.emit('priority.update', { userId: quiet.userId, priorities: [item(70)], maxScore: 70, itemCount: 1 }),
    ];
    for (const id of events) await h.done(id);
    const [now] = await h.queued(active.userId);
    expect(now).toMatchObject({
      priority: 'high',
      requires_fresh_context: false,
      final_message: 'Something worth a look: an intro to a buyer at Acme. Want me to tell you more?',
    });
    expect(now.scheduled_for.getTime()).toBeLessThanOrEqual(Date.now());
    const [later] = await h.queued(idle.userId);
    expect(later).toMatchObject({ priority: 'medium', requires_fresh_context: true });
    expect(later.scheduled_for.getTime()).toBeGreaterThan(Date.now());
    expect(await h.queued(quiet.userId)).toEqual([]);
    const decisions = await h.db.pool.query<{ decision: string }>(
      `SELECT output_data->>'decision' AS decision FROM agent_actions_log
       WHERE action_type = 'priority_notification_decision' AND user_id = ANY($1::uuid[]) ORDER BY created_at`,
      [[active.userId, idle.userId, quiet.userId]],
    );
    expect(decisions.rows.map((row) => row.decision).sort()).toEqual(['queue_for_later', 'send_now', 'skip']);
  });

  it('puts message.send.requested in the queue, never in messages, once under replay', async () => {
    const user = await h.member({ poc_agent_type: 'concierge' });
    const id = await h.emit('message.send.requested', {
      userId: user.userId,
      texts: ['First part.', 'Second part.'],
      priority: 'low',
      subject: 'news:1',
    });
    await h.done(id);
    await h.replay(id);
    const queued = await h.queued(user.userId);
    expect(queued.map((row) => [row.final_message, row.agent_id, row.priority, row.subject])).toEqual([
      ['First part.', 'concierge', 'low', 'news:1'],
      ['Second part.', 'concierge', 'low', 'news:1'],
    ]);
    // Whatever the dispatcher has sent so far went through the queue.
    expect(await h.outboundBypassingQueue(user.userId)).toBe(0);
  });

  it('answers system.ping, the bus probe, with no effect', async () => {
    const id = await h.emit('system.ping', { label: 'probe' });
    expect(await h.done(id)).toMatchObject({ attempts: 1, outcome: 'handled' });
  });
});
