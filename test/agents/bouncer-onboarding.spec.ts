import { splitSentences } from '../../src/agents/tone/tone-rules';
import type { SeededUser } from '../support/seed';
import { AgentsHarness } from './agents-harness';

/** The Bouncer on the local model, turn by turn through the real engine commit (no ANTHROPIC_API_KEY). */
describe('Bouncer onboarding on the local model', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pendingTasks = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ context_json: Record<string, unknown>; scheduled_for: Date; agent_type: string }>(
        `SELECT context_json, scheduled_for, agent_type FROM agent_tasks
         WHERE user_id = $1 AND task_type = 're_engagement_check' AND status = 'pending'`,
        [user.userId],
      )
    ).rows;
  const events = async (user: SeededUser, type: string) =>
    (
      await harness.db.pool.query<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM events WHERE aggregate_id = $1 AND event_type = $2 ORDER BY created_at`,
        [user.userId, type],
      )
    ).rows.map((row) => row.payload);
  const expectInVoice = (replies: string[]) => {
    for (const reply of replies) {
      expect(reply).not.toContain('!');
      expect(splitSentences(reply).length).toBeLessThanOrEqual(2);
    }
  };

  it('walks a new number from the first text to the verification request and completion, in order', async () => {
    const member = await harness.newUser({ verified: true, poc_agent_type: 'concierge' });
    await harness.db.pool.query(`UPDATE users SET first_name = 'Sarah', last_name = 'Chen' WHERE id = $1`, [
      member.userId,
    ]);
    const user = await harness.newUser();
    const address = `verify-${user.userId}@verify.yachtparty.xyz`;

    const first = await harness.send(user, ['hi']);
    expect(first.result.agent).toBe('bouncer');
    expect(first.replies).toEqual(['Hey, I’m the bouncer here. Who told you about this?']);
    const [task] = await pendingTasks(user);
    expect(task.agent_type).toBe('bouncer');
    expect(task.context_json).toMatchObject({ attemptCount: 1, current_step: 'referrer' });
    expect(task.scheduled_for.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    const second = await harness.send(user, ['Sarah Chen told me about it']);
    expect(second.replies).toEqual(['Got it. What’s your name?']);
    expect(await harness.user(user.userId)).toMatchObject({ referred_by: member.userId, name_dropped: null });
    expect(await events(user, 'user.onboarding_step.completed')).toEqual([{ step: 'referrer', value: 'Sarah Chen' }]);

    const third = await harness.send(user, ["I'm Jane"]);
    expect(third.replies).toEqual(['Nice to meet you, Jane. Last name too, or are you like Madonna?']);
    expect(await harness.user(user.userId)).toMatchObject({ first_name: 'Jane', last_name: null });

    const fourth = await harness.send(user, ['Doe']);
    expect(fourth.replies).toEqual(['Noted. Where do you work, and what’s your title?']); // acknowledgments vary
    expect(await harness.user(user.userId)).toMatchObject({ last_name: 'Doe' });

    const fifth = await harness.send(user, ['VP of Sales at Acme Corp']);
    expect(fifth.replies).toEqual([
      `Thanks. Last step: send a quick email from your work address to ${address} so we can verify you.`,
    ]);
    expect(await harness.user(user.userId)).toMatchObject({ company: 'Acme Corp', title: 'VP of Sales' });
    expect(await events(user, 'user.verification.pending')).toEqual([{ verification_email: address }]);
    const steps = (await events(user, 'user.onboarding_step.completed')).map((p) => p.step);
    expect(steps).toEqual(['referrer', 'first_name', 'last_name', 'company', 'title']);

    // The email webhook marks the address verified and inserts its acknowledgment row.
    await harness.db.pool.query(`UPDATE users SET email_verified = true, email = 'jane@acme.com' WHERE id = $1`, [
      user.userId,
    ]);
    const sixth = await harness.send(user, ['email_verified_acknowledgment'], 'system');
    expect(sixth.replies).toEqual([
      'Got your email, you’re all set on my end. The team reviews every member by hand, usually within a day or two.',
    ]);
    const [completed] = await events(user, 'user.onboarding_info_complete');
    expect(completed).toMatchObject({ ready_for_manual_approval: true });
    // Completion never verifies anyone or changes the agent: that is the team's manual step.
    expect(await harness.user(user.userId)).toMatchObject({ verified: false, poc_agent_type: 'bouncer' });
    expect(await pendingTasks(user)).toEqual([]);

    const seventh = await harness.send(user, ['thanks']);
    expect(seventh.replies).toEqual(['👍']);
    expect(await events(user, 'user.onboarding_info_complete')).toHaveLength(1);

    const all = [first, second, third, fourth, fifth, sixth, seventh].flatMap((turn) => turn.replies);
    expectInVoice(all);
    const roles = await harness.db.pool.query(
      `SELECT DISTINCT role FROM messages WHERE user_id = $1 AND direction = 'outbound'`,
      [user.userId],
    );
    expect(roles.rows).toEqual([{ role: 'bouncer' }]);
  });

  it('takes everything from one long first text and asks straight for verification', async () => {
    const user = await harness.newUser();
    const turn = await harness.send(user, ["Hi, I'm Jane Doe, VP of Sales at Acme Corp. My friend Bob sent me"]);
    expect(turn.replies).toHaveLength(1);
    expect(turn.replies[0]).toContain(`verify-${user.userId}@verify.yachtparty.xyz`);
    expect(await harness.user(user.userId)).toMatchObject({
      first_name: 'Jane',
      last_name: 'Doe',
      company: 'Acme Corp',
      title: 'VP of Sales',
      referred_by: null,
      name_dropped: 'Bob',
    });
  });

  it('answers questions with the fixed facts and still asks for the next step', async () => {
    const user = await harness.newUser();
    const turn = await harness.send(user, ['what is this?']);
    expect(turn.replies).toHaveLength(2);
    expect(turn.replies[0]).toMatch(/^Yachtparty is a private network/);
    expect(turn.replies[1]).toBe('Who told you about this?');
    expectInVoice(turn.replies);
  });

  it('moves on when the user names no referrer, and asks for the name', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['hello']);
    const turn = await harness.send(user, ['nobody, found it online']);
    expect(turn.replies).toEqual(['What’s your name?']);
    expect(await harness.user(user.userId)).toMatchObject({ referred_by: null, name_dropped: null });
  });

  it('matches only verified members as referrers', async () => {
    await harness.newUser({ verified: false, first_name: 'Quentin' });
    const user = await harness.newUser();
    await harness.send(user, ['hey']);
    await harness.send(user, ['quentin']);
    expect(await harness.user(user.userId)).toMatchObject({ referred_by: null, name_dropped: 'Quentin' });
  });

  it('treats a burst of texts as one turn that sees each text once', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['hi']);
    const turn = await harness.send(user, ['Sarah Chen told me about it', "I'm Jane Doe"]);
    expect(turn.replies).toEqual(['Nice to meet you, Jane. Where do you work, and what’s your title?']);
  });
});
