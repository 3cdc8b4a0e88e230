import type { SeededUser } from '../support/seed';
import { logTypes } from '../support/action-log';
import { AgentsHarness } from './agents-harness';
import { addIntroOpportunity, seedMember } from './concierge-fixtures';

const check = JSON.stringify({ type: 're_engagement_check', attemptCount: 1 });

/** Member re-engagement, local model: throttling before any model call, queued nudges, presentation. */
describe('Concierge re-engagement', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pool = () => harness.db.pool;
  const actions = (member: SeededUser) => logTypes(pool(), member.userId);
  const pendingChecks = async (member: SeededUser) =>
    (
      await pool().query<{ days: string; priority: string }>(
        `SELECT round(extract(epoch FROM scheduled_for - now()) / 86400) AS days, priority FROM agent_tasks
         WHERE user_id = $1 AND task_type = 're_engagement_check' AND status = 'pending'`,
        [member.userId],
      )
    ).rows;
  const pastNudge = (member: SeededUser, daysAgo: number, agentType = 'concierge') =>
    pool().query(
      `INSERT INTO agent_actions_log (agent_type, action_type, user_id, created_at)
       VALUES ($3, 're_engagement_message_sent', $1, now() - make_interval(days => $2))`,
      [member.userId, daysAgo, agentType],
    );

  it('queues a proactive text about open priorities, never a reply, and counts the presentation', async () => {
    const member = await seedMember(pool());
    const { priorityId } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Maya', last: 'Patel', company: 'Acme' },
      {
        priority: { value: 80 },
      },
    );

    const turn = await harness.send(member, [check], 'system');

    expect(turn.replies).toEqual([]);
    expect(await harness.queued(member.userId)).toEqual([
      {
        agent_id: 'concierge',
        final_message: 'Checking in on one thing: an intro to Maya Patel at Acme. Want me to move on it?',
        subject: 're_engagement:concierge',
        priority: 'low',
        requires_fresh_context: true,
      },
    ]);
    const { rows } = await pool().query(`SELECT presentation_count, status FROM user_priorities WHERE id = $1`, [
      priorityId,
    ]);
    expect(rows).toEqual([{ presentation_count: 1, status: 'presented' }]);
    expect(await actions(member)).toEqual(expect.arrayContaining(['re_engagement_message_sent', 'priority_presented']));
    expect(await pendingChecks(member)).toEqual([{ days: '14', priority: 'medium' }]);
  });

  it('counts an Innovator’s nudge to the same user: one stream of proactive texts per member', async () => {
    const member = await seedMember(pool());
    await addIntroOpportunity(
      pool(),
      member,
      { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
      { priority: { value: 80 } },
    );
    await pastNudge(member, 2, 'innovator');

    await harness.send(member, [check], 'system');

    expect(await harness.queued(member.userId)).toEqual([]);
    expect(await actions(member)).toContain('re_engagement_throttled');
    expect(await pendingChecks(member)).toEqual([{ days: '5', priority: 'low' }]);
  });

  it('reschedules without any model call when a nudge went out within 7 days', async () => {
    const member = await seedMember(pool());
    await addIntroOpportunity(
      pool(),
      member,
      { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
      {
        priority: { value: 80 },
      },
    );
    await pastNudge(member, 3);

    await harness.send(member, [check], 'system');

    expect(await harness.queued(member.userId)).toEqual([]);
    const logged = await actions(member);
    expect(logged).toContain('re_engagement_throttled');
    expect(logged).not.toContain('llm_call');
    expect(await pendingChecks(member)).toEqual([{ days: '4', priority: 'low' }]);
  });

  it('pauses after three unanswered nudges within 90 days, scheduling nothing', async () => {
    const member = await seedMember(pool());
    await addIntroOpportunity(
      pool(),
      member,
      { first: 'Ines', last: 'Duarte', company: 'Soylent' },
      {
        priority: { value: 80 },
      },
    );
    for (const days of [60, 40, 20]) await pastNudge(member, days);

    await harness.send(member, [check], 'system');

    expect(await harness.queued(member.userId)).toEqual([]);
    expect(await actions(member)).toContain('re_engagement_paused');
    expect(await pendingChecks(member)).toEqual([]);
  });

  it('a member who answered since resets the count; with nothing to say it stays quiet and looks again in 30 days', async () => {
    const member = await seedMember(pool());
    for (const days of [60, 40, 20]) await pastNudge(member, days);
    await harness.send(member, ['thanks']);

    await harness.send(member, [check], 'system');

    expect(await harness.queued(member.userId)).toEqual([]);
    expect(await actions(member)).toContain('re_engagement_decision_no_message');
    expect(await pendingChecks(member)).toEqual([{ days: '30', priority: 'medium' }]);
  });
});
