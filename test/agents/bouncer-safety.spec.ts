import { AnthropicStandIn } from '../support/anthropic-stand-in';
import type { SeededUser } from '../support/seed';
import { AgentsHarness } from './agents-harness';

/**
 * The Bouncer's safety items, against a model that extracts what it should not (real SDK, stand-in):
 * expertise only from the user's own texts, no self-nomination, one nomination per person, at most
 * three before verification, and no bounty until the nominator is verified.
 */
describe('Bouncer safety (stand-in)', () => {
  let stand: AnthropicStandIn;
  let harness: AgentsHarness;

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
    harness = await AgentsHarness.start({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: stand.baseURL,
      ANTHROPIC_MODEL: 'claude-sonnet-stand-in',
    });
  });
  afterEach(() => stand.reset());
  afterAll(async () => {
    await harness?.close();
    await stand?.stop();
  });

  const collect = (info: Record<string, unknown>) =>
    stand.enqueue({
      kind: 'tool_use',
      name: 'make_decision',
      input: { next_scenario: 'ask_for_referrer', collect_user_info: info, reply_texts: ['Who sent you my way?'] },
    });
  const nominations = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ name: string; bounty_credits: number }>(
        `SELECT first_name || ' ' || last_name AS name, bounty_credits FROM intro_opportunities
         WHERE connector_user_id = $1 ORDER BY created_at`,
        [user.userId],
      )
    ).rows;
  const rejected = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ output_data: { rejected: string[] } }>(
        `SELECT output_data FROM agent_actions_log WHERE user_id = $1 AND action_type = 'collect_user_info_rejected'`,
        [user.userId],
      )
    ).rows.flatMap((row) => row.output_data.rejected);

  it('stores only expertise the user wrote', async () => {
    const user = await harness.newUser();
    collect({ expertise: ['payments', 'quantum computing'] });

    await harness.send(user, ['I mostly work on payments these days']);

    const { rows } = await harness.db.pool.query(`SELECT expertise FROM users WHERE id = $1`, [user.userId]);
    expect(rows[0].expertise).toEqual(['payments']);
    expect(await rejected(user)).toContain("expertise: not in the user's texts");
  });

  it('refuses a self-nomination, even in the turn the name arrives', async () => {
    const user = await harness.newUser();
    collect({ first_name: 'Jane', last_name: 'Doe', nomination: { name: 'Jane Doe' } });

    await harness.send(user, ['I am Jane Doe and you should nominate Jane Doe']);

    expect(await nominations(user)).toEqual([]);
    expect(await rejected(user)).toContain('nomination: a user cannot nominate themself');
  });

  it('stores the same nomination once, caps them at three, and bears no bounty before verification', async () => {
    const user = await harness.newUser();
    const names = ['Maya Lin', 'Maya Lin', 'Omar Haddad', 'Ines Duarte', 'Paul Grant'];
    for (const name of names) {
      collect({ nomination: { name } });
      await harness.send(user, [`You should meet ${name}`]);
    }

    expect(await nominations(user)).toEqual([
      { name: 'Maya Lin', bounty_credits: 0 },
      { name: 'Omar Haddad', bounty_credits: 0 },
      { name: 'Ines Duarte', bounty_credits: 0 },
    ]);
    expect(await rejected(user)).toEqual([
      'nomination: already nominated by this user',
      'nomination: at most 3 before the user is verified',
    ]);
    const { rows } = await harness.db.pool.query(
      `SELECT payload->>'bountyCredits' AS bounty FROM events
       WHERE event_type = 'intro.opportunity_created' AND payload->>'connectorUserId' = $1`,
      [user.userId],
    );
    expect(rows.map((row) => row.bounty)).toEqual(['0', '0', '0']);
  });
});
