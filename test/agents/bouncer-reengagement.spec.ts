import type { SeededUser } from '../support/seed';
import { logTypes } from '../support/action-log';
import { AgentsHarness } from './agents-harness';

const check = (attemptCount: number) => JSON.stringify({ type: 're_engagement_check', attemptCount, currentStep: 'x' });

/** Re-engagement on the local model: at most two nudges a day apart, the count carried forward (a defect of the original processor). */
describe('Bouncer re-engagement', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const tasks = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ status: string; attempt: number; scheduled_for: Date; context_id: string }>(
        `SELECT status, (context_json->>'attemptCount')::int AS attempt, scheduled_for, context_id::text
         FROM agent_tasks WHERE user_id = $1 AND task_type = 're_engagement_check' ORDER BY created_at`,
        [user.userId],
      )
    ).rows;
  const pending = async (user: SeededUser) => (await tasks(user)).filter((task) => task.status === 'pending');
  const logged = (user: SeededUser) => logTypes(harness.db.pool, user.userId);

  it('nudges twice, a day apart, carrying the attempt count forward, then stops', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['hi']);
    expect((await pending(user)).map((task) => task.attempt)).toEqual([1]);

    // The task processor turns the due task into a system row (and completes the task).
    await harness.db.pool.query(`UPDATE agent_tasks SET status = 'completed' WHERE user_id = $1`, [user.userId]);
    const first = await harness.send(user, [check(1)], 'system');
    expect(first.result.agent).toBe('bouncer');
    // A nudge is a proactive text: queued for the dispatcher, never an immediate reply.
    expect(first.replies).toEqual([]);
    expect(await harness.queued(user.userId)).toEqual([
      {
        agent_id: 'bouncer',
        final_message: 'Still interested? Who sent you my way?',
        subject: 're_engagement:bouncer',
        priority: 'low',
        requires_fresh_context: true,
      },
    ]);
    const [next] = await pending(user);
    expect(next).toMatchObject({ attempt: 2, context_id: user.conversationId });
    expect(next.scheduled_for.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    await harness.db.pool.query(`UPDATE agent_tasks SET status = 'completed' WHERE user_id = $1`, [user.userId]);
    const second = await harness.send(user, [check(2)], 'system');
    expect(second.replies).toEqual([]);
    // The newer nudge supersedes the first one still queued (never sent, so its wording is free again).
    expect(await harness.queued(user.userId)).toHaveLength(1);
    const { rows } = await harness.db.pool.query<{ status: string }>(
      `SELECT status FROM message_queue WHERE user_id = $1 ORDER BY created_at`,
      [user.userId],
    );
    expect(rows.map((row) => row.status)).toEqual(['superseded', 'queued']);
    expect(await pending(user)).toEqual([]);

    const third = await harness.send(user, [check(3)], 'system');
    expect(third.replies).toEqual([]);
    expect(await harness.queued(user.userId)).toHaveLength(1);
    expect(await pending(user)).toEqual([]);
    expect(await logged(user)).toEqual(expect.arrayContaining(['re_engagement_message_sent', 're_engagement_paused']));
  });

  it('starts a fresh series when the user answers, cancelling the pending check', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['hi']);
    await harness.send(user, [check(1)], 'system');
    expect((await pending(user)).map((task) => task.attempt)).toEqual([2]);

    await harness.send(user, ['sorry, Sarah Chen told me']);

    const all = await tasks(user);
    expect(all.filter((task) => task.status === 'pending').map((task) => task.attempt)).toEqual([1]);
    expect(all.filter((task) => task.status === 'cancelled').length).toBeGreaterThanOrEqual(1);
  });

  it('stays quiet for a user who asked for time, but keeps the next check', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['hi']);
    await harness.send(user, ['super busy right now, later']);
    const turn = await harness.send(user, [check(1)], 'system');
    expect(turn.replies).toEqual([]);
    expect(await harness.queued(user.userId)).toEqual([]);
    expect(await logged(user)).toContain('re_engagement_decision_no_message');
    expect((await pending(user)).map((task) => task.attempt)).toEqual([2]);
  });

  it('says nothing and cancels checks once onboarding is complete', async () => {
    const user = await harness.newUser();
    await harness.db.pool.query(
      `UPDATE users SET first_name = 'A', last_name = 'B', company = 'C', title = 'D', email_verified = true WHERE id = $1`,
      [user.userId],
    );
    await harness.db.pool.query(
      `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_json) VALUES ('re_engagement_check', 'bouncer', $1, '{}')`,
      [user.userId],
    );
    const turn = await harness.send(user, [check(1)], 'system');
    expect(turn.replies).toEqual([]);
    expect(await pending(user)).toEqual([]);
  });

  it('nudges toward verification with the exact address', async () => {
    const user = await harness.newUser();
    await harness.db.pool.query(
      `UPDATE users SET first_name = 'A', last_name = 'B', company = 'C', title = 'D', name_dropped = 'E' WHERE id = $1`,
      [user.userId],
    );
    const turn = await harness.send(user, [check(1)], 'system');
    expect(turn.replies).toEqual([]);
    const queued = await harness.queued(user.userId);
    expect(queued).toHaveLength(1);
    expect(queued[0].final_message).toContain(`verify-${user.userId}@verify.yachtparty.xyz`);
  });
});
