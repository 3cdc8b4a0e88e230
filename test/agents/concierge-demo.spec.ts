import { seedDemo } from '../../src/cli/demo-seed';
import { AgentsHarness } from './agents-harness';

/** The README demo on the embedded default (local model): the seeded member's whole tour works. */
describe('Concierge demo seed', () => {
  let harness: AgentsHarness;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pool = () => harness.db.pool;
  const status = async (table: string, id: string) =>
    (await pool().query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0].status;

  it('seeds idempotently, and the README conversation answers, accepts, offers and mentions', async () => {
    await seedDemo(pool());
    const seeded = await seedDemo(pool());
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM users WHERE phone_number LIKE '+155501001%'`);
    expect(rows[0].n).toBe(3);
    const member = { userId: seeded.memberId, conversationId: seeded.conversationId, phone: seeded.phone };

    const answer = await harness.send(member, ['We use Gusto, it has been solid for us at that size']);
    expect(answer.replies[0]).toBe('Thanks, I’ll pass that along.');
    // The intro to Maya is valuable, never presented and on another topic: mentioned after the answer.
    expect(answer.replies[1]).toBe(
      'While I have you: an intro to Maya Patel, VP Finance at Acme. Want me to follow up on it?',
    );
    const responses = await pool().query(`SELECT 1 FROM community_responses WHERE request_id = $1`, [
      seeded.communityRequestId,
    ]);
    expect(responses.rows).toHaveLength(1);

    const maya = await harness.send(member, ['yes, happy to intro Maya']);
    expect(maya.replies[0]).toBe('Thanks, I’ll set up the intro to Maya Patel.');
    expect(await status('intro_opportunities', seeded.introOpportunityId)).toBe('accepted');

    await harness.send(member, ['Yes please, I would like the intro to Priya']);
    expect(await status('intro_offers', seeded.introOfferId)).toBe('pending_connector_confirmation');

    await harness.send(member, ['Sure, happy to meet Zoe']);
    expect(await status('connection_requests', seeded.connectionRequestId)).toBe('accepted');

    const ask = await harness.send(member, ['I want to meet a CFO who has taken a company public']);
    expect(ask.replies[0]).toBe('I’ll ask around the network and come back to you with what I hear.');
  });
});
