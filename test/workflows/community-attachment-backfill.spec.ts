import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/database/migrations.runner';
import { expectEventually } from '../support/eventually';
import type { SeededUser } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

const BACKFILL = '20261201011100_community_attachment_answers_backfill.sql';

/**
 * Members whose attachment was recorded from the bus by the attachments migration never heard of
 * the answers given before it. The one-off backfill tells them of those answers while the request
 * is still open, through the same notice task as every answer, and tells nobody twice. The state
 * before it is built as it was: answers handled while the attachment was only an event, then the
 * attachment row written by that migration.
 */
describe(`migration ${BACKFILL}: earlier answers for members attached before attachments were recorded`, () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const ask = async (asker: SeededUser, topic: string) => {
    await h.done(
      await h.emit(
        'community.request_needed',
        {
          requestingUserId: asker.userId,
          requestingAgentType: 'concierge',
          contextId: asker.conversationId,
          contextType: 'conversation',
          question: `Who knows ${topic}?`,
          expertiseNeeded: [topic],
          desiredOutcome: 'quick_thoughts',
          urgency: 'medium',
          requestSummary: topic,
          category: topic,
        },
        { id: asker.userId, type: 'user' },
      ),
    );
    return (
      await h.db.pool.query<{ id: string }>(`SELECT id FROM community_requests WHERE requesting_user_id = $1`, [
        asker.userId,
      ])
    ).rows[0].id;
  };
  /** The attachment as the attachments migration wrote it from the bus: no notice came with it. */
  const attachedFromBus = (requestId: string, member: SeededUser, summary: string) =>
    h.db.pool.query(
      `INSERT INTO community_request_attachments (request_id, user_id, question, request_summary, attached_event_id)
       VALUES ($1, $2, 'q', $3, gen_random_uuid())`,
      [requestId, member.userId, summary],
    );
  const notices = async (userId: string) =>
    (await h.queued(userId))
      .filter((row) => row.subject?.startsWith('community_response:'))
      .map((row) => row.final_message);

  it('tells each attached member of earlier answers to open requests once, and nothing of settled ones', async () => {
    const asker = await h.member();
    const expert = await h.member({ expertise: ['cider making'] });
    const member = await h.member({ expertise: ['cider making'] });
    // An expert whose answer is still on its way (no event handled yet) keeps the request open.
    const slow = await h.member({ expertise: ['cider making'] });
    const openRequest = await ask(asker, 'cider making');
    const told = await h.answer(openRequest, expert, asker, 'Use a cold ferment.');
    // The member's own answer is not news to them.
    const own = await h.answer(openRequest, member, asker, 'Wild yeast works too.');
    await h.db.pool.query(
      `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, 'Later.')`,
      [openRequest, slow.userId],
    );
    await attachedFromBus(openRequest, member, 'hard cider');
    // A member already told of an answer (the live path after the attachments migration) is not told again.
    const alreadyTold = await h.member();
    await attachedFromBus(openRequest, alreadyTold, 'apple cider');
    const live = await h.runTask(
      await h.addTask({
        taskType: 'community_response_available',
        userId: alreadyTold.userId,
        context: { requestId: openRequest, responseId: told },
      }),
    );
    expect(live.status).toBe('completed');

    // A request that closed since: its answers are old news, and nobody is waiting on it.
    const closedAsker = await h.member();
    const closedExpert = await h.member({ expertise: ['kite surfing'] });
    await h.member({ expertise: ['kite surfing'] });
    const closedRequest = await ask(closedAsker, 'kite surfing');
    await h.answer(closedRequest, closedExpert, closedAsker, 'Take lessons first.');
    await attachedFromBus(closedRequest, member, 'kites');
    await h.db.pool.query(`UPDATE community_requests SET status = 'closed' WHERE id = $1`, [closedRequest]);

    const backfill = readFileSync(join(MIGRATIONS_DIR, BACKFILL), 'utf8');
    await h.db.pool.query(backfill);
    // Run again (the runner after the Supabase CLI): nothing more.
    await h.db.pool.query(backfill);

    const tasks = await h.tasks(member.userId, 'community_response_available');
    expect(tasks.map((task) => task.context_json)).toEqual([{ requestId: openRequest, responseId: told }]);
    await expectEventually(async () =>
      expect(await notices(member.userId)).toEqual([
        'Someone in the network answered your question about hard cider: Use a cold ferment.',
      ]),
    );
    // The member already told of one answer hears only of the other.
    expect(
      (await h.tasks(alreadyTold.userId, 'community_response_available')).map((task) => task.context_json),
    ).toEqual([
      { requestId: openRequest, responseId: told },
      { requestId: openRequest, responseId: own },
    ]);
    await expectEventually(async () =>
      expect((await notices(alreadyTold.userId)).sort()).toEqual([
        'Someone in the network answered your question about apple cider: Use a cold ferment.',
        'Someone in the network answered your question about apple cider: Wild yeast works too.',
      ]),
    );
  });
});
