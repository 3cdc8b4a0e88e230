import { AgentsHarness } from './agents-harness';
import { logTypes } from '../support/action-log';
import { addIntroOpportunity, addPriority, seedMember } from './concierge-fixtures';

/** The proactive "while I have you" rule and presentation tracking with 2-strike dormancy (local model). */
describe('Concierge proactive mentions and presentation tracking', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pool = () => harness.db.pool;
  const priority = async (id: string) =>
    (
      await pool().query<{ status: string; presentation_count: number }>(
        `SELECT status, presentation_count FROM user_priorities WHERE id = $1`,
        [id],
      )
    ).rows[0];
  const actionTypes = (userId: string) => logTypes(pool(), userId);
  const goal = 'My goal is to hire a controller before the audit season';

  it('mentions a valuable priority on another topic after the answer, and counts the presentation', async () => {
    const member = await seedMember(pool());
    const { priorityId } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Maya', last: 'Patel', company: 'Acme' },
      {
        priority: { value: 85, presentedDaysAgo: 5 },
      },
    );

    const turn = await harness.send(member, [goal]);

    expect(turn.replies).toEqual([
      'Noted. I’ll keep that goal in mind when something relevant comes up.',
      'While I have you: an intro to Maya Patel at Acme. Want me to follow up on it?',
    ]);
    expect(await priority(priorityId!)).toEqual({ status: 'presented', presentation_count: 1 });
    const { rows } = await pool().query(
      `SELECT presentation_count, status FROM intro_opportunities WHERE connector_user_id = $1`,
      [member.userId],
    );
    expect(rows).toEqual([{ presentation_count: 1, status: 'presented' }]);
    expect(await actionTypes(member.userId)).toContain('priority_presented');
  });

  it.each([
    ['its value is 70 or less', { value: 70 }],
    ['it was presented within 3 days', { value: 90, presentedDaysAgo: 2 }],
  ])('does not mention a priority when %s', async (_label, p) => {
    const member = await seedMember(pool());
    const { priorityId } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Omar', last: 'Haddad', company: 'Umbrella' },
      {
        priority: p,
      },
    );

    const turn = await harness.send(member, [goal]);

    expect(turn.replies).toHaveLength(1);
    expect((await priority(priorityId!)).presentation_count).toBe(0);
  });

  it('does not mention a priority named in the last two messages, nor to a stressed member', async () => {
    const member = await seedMember(pool());
    const { priorityId } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Lena', last: 'Fox', company: 'Hooli' },
      {
        priority: { value: 95 },
      },
    );
    const first = await harness.send(member, ['Crazy week, swamped. ' + goal]);
    expect(first.replies).toHaveLength(1);

    await harness.send(member, ['Lena Fox came up at dinner, small world']);
    const named = await harness.send(member, ['Can you find a vendor for audit prep software?']);

    expect(named.replies).toHaveLength(1);
    expect((await priority(priorityId!)).presentation_count).toBe(0);
  });

  it('marks an item dormant on its second unanswered presentation and cancels its re-engagement checks', async () => {
    const member = await seedMember(pool());
    const { id, priorityId } = await addIntroOpportunity(
      pool(),
      member,
      { first: 'Ivo', last: 'Stein', company: 'Wonka' },
      {
        priority: { value: 88, status: 'presented', presentedDaysAgo: 10, count: 1 },
      },
    );
    await pool().query(
      `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, context_json)
       VALUES ('re_engagement_check', 'concierge', $1, $2, 'intro_opportunity', '{}')`,
      [member.userId, id],
    );

    const turn = await harness.send(member, [goal]);

    expect(turn.replies).toHaveLength(2);
    expect(await priority(priorityId!)).toEqual({ status: 'dormant', presentation_count: 2 });
    const { rows } = await pool().query(`SELECT status, dormant_at FROM intro_opportunities WHERE id = $1`, [id]);
    expect(rows[0].status).toBe('dormant');
    expect(rows[0].dormant_at).not.toBeNull();
    const tasks = await pool().query(`SELECT status FROM agent_tasks WHERE context_id = $1`, [id]);
    expect(tasks.rows).toEqual([{ status: 'cancelled' }]);
    expect(await actionTypes(member.userId)).toEqual(
      expect.arrayContaining(['priority_presented', 'priority_marked_dormant']),
    );
  });

  it('loads only priorities presented at most once (a dormant item is never mentioned again)', async () => {
    const member = await seedMember(pool());
    const other = await addIntroOpportunity(pool(), member, { first: 'Ruth', last: 'Ng', company: 'Cyberdyne' });
    await addPriority(pool(), member, 'intro_opportunity', other.id, {
      value: 99,
      status: 'active',
      count: 2,
      summary: 'an intro to Ruth Ng',
      name: 'Ruth Ng',
    });

    const turn = await harness.send(member, [goal]);

    expect(turn.replies).toHaveLength(1);
  });
});
