import { seedInnovatorDemo } from '../../src/cli/demo-seed.innovator';
import { AgentsHarness } from './agents-harness';

/** The README's innovator demo on the embedded default (local model): intro progress comes from real rows. */
describe('Innovator demo seed', () => {
  let harness: AgentsHarness;
  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });
  const pool = () => harness.db.pool;

  it('seeds idempotently, and the innovator’s tour reports, requests and accepts from real rows', async () => {
    await seedInnovatorDemo(pool());
    const seeded = await seedInnovatorDemo(pool());
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM users WHERE phone_number LIKE '+155501002%'`);
    expect(rows[0].n).toBe(3);
    const avery = { userId: seeded.innovatorId, conversationId: seeded.conversationId, phone: seeded.phone };

    const progress = await harness.send(avery, ['how are my intros going?']);
    expect(progress.result.agent).toBe('innovator');
    const report = progress.replies.join(' ');
    for (const sentence of [
      '3 intros in flight.',
      'Casey Moore (Globex Credit Union): offered to you, waiting for your yes or no.',
      'Jordan Blake (Initech): a connector agreed and is arranging it.',
      'Riley Stone (Umbrella Bank): a connector has been asked.',
    ]) {
      expect(report).toContain(sentence);
    }
    expect(report).not.toContain('Harper Diaz'); // a prospect with no intro yet is not reported as one

    const meet = await harness.send(avery, ['I would like to meet Sam, I can offer 30 credits']);
    expect(meet.replies[0]).toContain('I asked Sam to connect, with a 30-credit bounty');
    const request = await pool().query(
      `SELECT introducee_user_id, bounty_credits FROM connection_requests WHERE requestor_user_id = $1`,
      [seeded.innovatorId],
    );
    expect(request.rows).toEqual([{ introducee_user_id: seeded.responderId, bounty_credits: 30 }]);

    await harness.send(avery, ['yes please, I would like the intro to Casey Moore']);
    const offer = await pool().query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [
      seeded.introOfferId,
    ]);
    expect(offer.rows[0]).toEqual({ status: 'pending_connector_confirmation', bounty_credits: 25 });

    const link = await harness.send(avery, ['can I upload more prospects?']);
    expect(link.replies.join(' ')).toMatch(/https:\/\/yachtparty\.xyz\/prospects\/upload\/\S+/);
  });
});
