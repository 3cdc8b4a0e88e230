import { seedDemo } from '../../src/cli/demo-seed';
import { seedInnovatorDemo } from '../../src/cli/demo-seed.innovator';
import { expectEventually } from '../support/eventually';
import { insertInbound, type SeededUser } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

/**
 * The README demo on the embedded default (local model), whole service: the seeded members ask
 * for news of an intro in plain words and get the state from the `intro_followup_check` task.
 */
describe('asking where an intro stands, on the local model (demo seed, whole service)', () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const pool = () => h.db.pool;
  const say = async (user: SeededUser, text: string) => {
    const [id] = await insertInbound(pool(), user, [text]);
    return expectEventually(
      async () => {
        const rows = await pool().query<{ content: string }>(
          `SELECT content FROM messages WHERE reply_to_message_id = $1 ORDER BY sequence_index`,
          [id],
        );
        expect(rows.rows.length).toBeGreaterThan(0);
        return rows.rows.map((row) => row.content);
      },
      { timeoutMs: 30_000 },
    );
  };
  const inquiries = async (userId: string) =>
    (await h.eventsOfType('user.intro_inquiry')).filter((event) => event.payload.userId === userId);
  const statusText = (user: SeededUser, subject: string) =>
    expectEventually(
      async () => {
        const texts = (await h.texts(user.userId)).filter((row) => row.subject === subject);
        expect(texts).toHaveLength(1);
        return texts[0].final_message;
      },
      { timeoutMs: 30_000 },
    );

  it('the Concierge member says yes to the intro to Maya, then asks for news of it', async () => {
    const seeded = await seedDemo(pool());
    const dana = { userId: seeded.memberId, conversationId: seeded.conversationId, phone: seeded.phone };

    // (The reply also mentions the offered intro to Priya: the proactive mention rule.)
    expect((await say(dana, 'yes, happy to intro Maya'))[0]).toBe('Thanks, I’ll set up the intro to Maya Patel.');
    expect(await say(dana, 'any news on my intro to Maya?')).toEqual([
      'I’ll check where your intro with Maya Patel stands and text you shortly.',
    ]);
    expect(await statusText(dana, `intro_opportunity:${seeded.introOpportunityId}`)).toBe(
      "About your intro with Maya Patel: it's agreed, and the introduction is being set up.",
    );
  });

  it('the demo innovator asks for news of one named intro; "how are my intros going" stays the overview', async () => {
    const seeded = await seedInnovatorDemo(pool());
    const avery = { userId: seeded.innovatorId, conversationId: seeded.conversationId, phone: seeded.phone };

    const overview = await say(avery, 'how are my intros going?');
    expect(overview.join(' ')).toMatch(/Jordan Blake/);
    expect(await inquiries(avery.userId)).toEqual([]);

    expect(await say(avery, 'any news on my intro to Jordan Blake?')).toEqual([
      'I’ll check where your intro with Jordan Blake stands and text you shortly.',
    ]);
    const [accepted] = seeded.introOpportunityIds;
    expect(await statusText(avery, `intro_opportunity:${accepted}`)).toBe(
      "About your intro with Jordan Blake: it's agreed, and the introduction is being set up.",
    );
    expect(await inquiries(avery.userId)).toEqual([
      {
        payload: { userId: avery.userId, introType: 'intro_opportunity', introId: accepted },
        created_by: 'innovator_agent',
      },
    ]);
  });
});
