import { randomUUID } from 'node:crypto';
import { AgentsHarness } from './agents-harness';

const POC_TYPES = ['bouncer', 'concierge', 'innovator', null, 'wizard'] as const;
const ROWS = {
  user_text: { role: 'user', content: 'hello' },
  email_verified_ack: { role: 'system', content: 'email_verified_acknowledgment' },
  re_engagement_check: { role: 'system', content: JSON.stringify({ type: 're_engagement_check', attemptCount: 1 }) },
  other_system: { role: 'system', content: '{"type":"priority_digest"}' },
} as const;
type RowKind = keyof typeof ROWS;

function expectedAgent(verified: boolean, poc: string | null): string {
  if (!verified) return 'bouncer';
  return poc === 'concierge' || poc === 'innovator' ? poc : 'concierge';
}
const inconsistent = (verified: boolean, poc: string | null) =>
  verified ? poc !== 'concierge' && poc !== 'innovator' : poc !== 'bouncer' && poc !== null;

/** Expected texts per agent and row kind (local model). */
function expectedReplies(agent: string, row: RowKind): number {
  if (row === 'other_system') return 0;
  // Nudges are proactive texts: queued, never immediate replies.
  if (row === 're_engagement_check') return 0;
  return 1;
}

const cases = [false, true].flatMap((verified) =>
  POC_TYPES.flatMap((poc) => (Object.keys(ROWS) as RowKind[]).map((row) => [verified, poc, row] as const)),
);

describe('routing by user state (every verified × poc_agent_type × row kind)', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const actionTypes = async (userId: string) =>
    (
      await harness.db.pool.query<{ action_type: string; agent_type: string }>(
        `SELECT action_type, agent_type FROM agent_actions_log WHERE user_id = $1`,
        [userId],
      )
    ).rows;

  it.each(cases)('verified=%s poc_agent_type=%j, %s', async (verified, poc, row) => {
    const user = await harness.newUser({ verified, poc_agent_type: poc });
    const { role, content } = ROWS[row];

    const turn = await harness.send(user, [content], role);

    const agent = expectedAgent(verified, poc);
    expect(turn.result.agent).toBe(agent);
    expect(turn.replies).toHaveLength(expectedReplies(agent, row));
    const outbound = await harness.db.pool.query(
      `SELECT role FROM messages WHERE user_id = $1 AND direction = 'outbound'`,
      [user.userId],
    );
    expect(outbound.rows.every((r) => r.role === agent)).toBe(true);
    const logged = await actionTypes(user.userId);
    expect(logged.some((entry) => entry.action_type === 'agent_routing_fallback')).toBe(inconsistent(verified, poc));
    if (row === 'other_system') {
      expect(logged.map((entry) => entry.action_type)).toContain('system_message_ignored');
    } else {
      expect(logged).toContainEqual({ action_type: 'agent_invocation', agent_type: agent });
    }
    if (row === 're_engagement_check' && agent === 'bouncer') {
      expect((await harness.queued(user.userId)).map((q) => q.agent_id)).toEqual(['bouncer']);
    }
    if (row === 're_engagement_check' && agent === 'innovator') {
      // A bare innovator has open threads (profile, prospects, credits): one queued nudge (a sequence), no reply.
      expect(logged.map((entry) => entry.action_type)).toContain('re_engagement_message_sent');
      expect([...new Set((await harness.queued(user.userId)).map((q) => q.agent_id))]).toEqual(['innovator']);
    }
    // Routing never changes who the user is.
    expect(await harness.user(user.userId)).toMatchObject({ verified, poc_agent_type: poc });
  });

  describe('rows that cannot be answered complete with a log entry instead of crashing', () => {
    it('a message without a user', async () => {
      const { rows } = await harness.db.pool.query<{ id: string }>(
        `INSERT INTO messages (role, content, direction, status) VALUES ('user', 'who am I', 'inbound', 'delivered') RETURNING id`,
      );
      // The engine refuses such a row at its claim (dead as bad input: test/hardening/bad-input.spec.ts);
      // the dispatcher still answers nothing for it if asked.
      const result = await harness.dispatcher.handleTurn(
        { userId: null, messageIds: [rows[0].id] },
        { signal: new AbortController().signal },
      );
      expect(result.outcome.replies).toEqual([]);
      expect(result.outcome.logs[0]).toMatchObject({ action_type: 'agent_invocation_skipped' });
      expect(result.outcome.logs[0].error).toMatch(/no user_id/);
    });

    it('a message without a conversation', async () => {
      const user = await harness.newUser();
      const { rows } = await harness.db.pool.query<{ id: string }>(
        `INSERT INTO messages (user_id, role, content, direction, status) VALUES ($1, 'user', 'hi', 'inbound', 'delivered') RETURNING id`,
        [user.userId],
      );
      const result = await harness.dispatcher.handleTurn(
        { userId: user.userId, messageIds: [rows[0].id] },
        { signal: new AbortController().signal },
      );
      expect(result.agent).toBe('bouncer');
      expect(result.outcome.replies).toEqual([]);
      expect(result.outcome.logs[0].error).toMatch(/conversation .* not found/);
    });

    it('a user who no longer exists, and message ids that do not exist', async () => {
      const ghost = randomUUID();
      const missingUser = await harness.dispatcher.handleTurn(
        { userId: ghost, messageIds: [randomUUID()] },
        { signal: new AbortController().signal },
      );
      expect(missingUser.outcome).toMatchObject({ replies: [], actions: [], events: [] });
      expect(missingUser.outcome.logs[0]).toMatchObject({ action_type: 'agent_invocation_skipped', user_id: null });

      const user = await harness.newUser();
      const missingMessages = await harness.dispatcher.handleTurn(
        { userId: user.userId, messageIds: [randomUUID()] },
        { signal: new AbortController().signal },
      );
      expect(missingMessages.outcome.replies).toEqual([]);
      expect(missingMessages.outcome.logs[0].error).toMatch(/inbound messages exist/);
    });
  });
});
