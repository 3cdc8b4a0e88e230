import { HELP_REPLY, OPT_IN_REPLY, OPT_OUT_REPLY } from '../../src/messaging/sms-keywords';
import { logTypes } from '../support/action-log';
import { AgentsHarness } from '../agents/agents-harness';
import type { SeededUser } from '../support/seed';

/** STOP, START and HELP through whole turns: claim → AgentDispatcher → the engine's fenced commit. */
describe('SMS keywords', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const optedOutAt = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ opted_out_at: Date | null }>(`SELECT opted_out_at FROM users WHERE id = $1`, [
        user.userId,
      ])
    ).rows[0].opted_out_at;
  const actions = (user: SeededUser) => logTypes(harness.db.pool, user.userId);
  const outboundCount = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE user_id = $1 AND direction = 'outbound'`,
        [user.userId],
      )
    ).rows[0].n;
  const queue = async (user: SeededUser, text: string) =>
    (
      await harness.db.pool.query<{ id: string }>(
        `INSERT INTO message_queue (user_id, agent_id, final_message, priority) VALUES ($1, 'concierge', $2, 'high') RETURNING id`,
        [user.userId, text],
      )
    ).rows[0].id;

  it('opts out on STOP with exactly one confirmation, no agent turn, and cancels the queued texts', async () => {
    const user = await harness.newUser({ verified: true, poc_agent_type: 'concierge' });
    const queued = await queue(user, 'An intro for you');

    const stop = await harness.send(user, ['  stop ']);

    expect(stop.replies).toEqual([OPT_OUT_REPLY]);
    expect(stop.result.agent).toBe('concierge');
    expect(await optedOutAt(user)).toBeInstanceOf(Date);
    const row = await harness.db.pool.query(`SELECT status, status_reason FROM message_queue WHERE id = $1`, [queued]);
    expect(row.rows[0]).toEqual({ status: 'cancelled', status_reason: 'the user opted out of texts (STOP)' });
    expect(await actions(user)).toEqual(['sms_opt_out']);

    // Nothing after: a second STOP and an ordinary text get no answer and no agent turn.
    expect((await harness.send(user, ['STOP'])).replies).toEqual([]);
    expect((await harness.send(user, ['are you there?'])).replies).toEqual([]);
    expect(await outboundCount(user)).toBe(1);
    expect(await actions(user)).toEqual(['sms_opt_out', 'sms_opt_out_repeated', 'sms_text_while_opted_out']);
  });

  it.each(['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit.', 'stop!'])('treats %s as STOP', async (word) => {
    const user = await harness.newUser();
    expect((await harness.send(user, [word])).replies).toEqual([OPT_OUT_REPLY]);
    expect(await optedOutAt(user)).toBeInstanceOf(Date);
  });

  it('takes a keyword only as the whole text', async () => {
    const user = await harness.newUser();
    const turn = await harness.send(user, ['please stop texting me so early']);
    expect(await optedOutAt(user)).toBeNull();
    expect(turn.replies).not.toContain(OPT_OUT_REPLY);
    expect(await actions(user)).toContain('agent_invocation');
  });

  it('answers a burst ending in STOP once, with the confirmation only', async () => {
    const user = await harness.newUser();
    const turn = await harness.send(user, ['hi', 'STOP']);
    expect(turn.replies).toEqual([OPT_OUT_REPLY]);
    expect(await actions(user)).toEqual(['sms_opt_out']);
  });

  it('answers HELP even when opted out, and START opts back in so the agents answer again', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['STOP']);

    const help = await harness.send(user, ['help']);
    expect(help.replies).toEqual([HELP_REPLY]);
    expect(HELP_REPLY).toContain('Reply STOP');
    expect(await optedOutAt(user)).toBeInstanceOf(Date);

    const start = await harness.send(user, ['START']);
    expect(start.replies).toEqual([OPT_IN_REPLY]);
    expect(await optedOutAt(user)).toBeNull();

    const hello = await harness.send(user, ['hi']);
    expect(hello.replies.length).toBeGreaterThan(0);
    // One turn per text; the rows of one turn share created_at, so the last turn's are compared as a set.
    const logged = await actions(user);
    expect(logged.slice(0, 3)).toEqual(['sms_opt_out', 'sms_help', 'sms_opt_in']);
    expect(logged.slice(3)).toContain('agent_invocation');
  });

  it('UNSTOP opts back in as START does', async () => {
    const user = await harness.newUser();
    await harness.send(user, ['QUIT']);
    expect((await harness.send(user, ['unstop'])).replies).toEqual([OPT_IN_REPLY]);
    expect(await optedOutAt(user)).toBeNull();
  });
});
