import type { TestingModule } from '@nestjs/testing';
import { AgentContextRepository } from '../../src/agents/context/agent-context.repository';
import { TurnRepository, type ClaimedTurn } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser, type SeededUser } from '../support/seed';
import { repositoryModule } from './repository-module';

const TEXTS = Array.from({ length: 12 }, (_, index) => `${index + 1}-text`);

/**
 * Rows written in one transaction share `created_at` (the transaction's start). Their order must
 * still be the order they were written in: claims, the turn's texts, the reply's target and history.
 */
describe('order of rows written in one transaction', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let turns: TurnRepository;
  let context: AgentContextRepository;
  let user: SeededUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await repositoryModule(db.url);
    turns = moduleRef.get(TurnRepository);
    context = moduleRef.get(AgentContextRepository);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    user = await seedUser(db.pool);
  });

  /** One multi-row INSERT: every row gets the same created_at. */
  async function insertAtOnce(texts: string[]): Promise<string[]> {
    const result = await db.pool.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
       SELECT $1, $2, 'user', text, 'inbound', 'delivered' FROM unnest($3::text[]) WITH ORDINALITY AS t(text, n)
       ORDER BY n
       RETURNING id`,
      [user.conversationId, user.userId, texts],
    );
    return result.rows.map((row) => row.id);
  }

  async function claim(limit = 50): Promise<ClaimedTurn> {
    const outcome = await turns.claim(user.userId, 'unused', 'worker-a', 60_000, limit);
    if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
    return outcome.turn;
  }

  it('gives the rows of one INSERT the same created_at (the premise)', async () => {
    await insertAtOnce(TEXTS);
    const stamps = await db.pool.query(`SELECT DISTINCT created_at FROM messages WHERE user_id = $1`, [user.userId]);
    expect(stamps.rowCount).toBe(1);
  });

  it('claims the texts in the order they were written, and a turn limit cuts the burst at that order', async () => {
    const ids = await insertAtOnce(TEXTS);
    const first = await claim(5);
    expect(first.messages.map((message) => message.id)).toEqual(ids.slice(0, 5));
    await turns.commit(first, { agent: 'bouncer', outcome: { replies: ['ok'], actions: [], events: [], logs: [] } });
    // The reply answers the last text of the turn in that order.
    const reply = await db.pool.query(
      `SELECT reply_to_message_id FROM messages WHERE direction = 'outbound' AND user_id = $1`,
      [user.userId],
    );
    expect(reply.rows).toEqual([{ reply_to_message_id: ids[4] }]);
    const second = await claim();
    expect(second.messages.map((message) => message.id)).toEqual(ids.slice(5));
  });

  it('the loader reads the turn texts and the history in written order, multi-text replies included', async () => {
    const ids = await insertAtOnce(TEXTS);
    expect((await context.findTurnMessages(user.userId, [...ids].reverse())).map((m) => m.id)).toEqual(ids);

    const turn = await claim();
    await turns.commit(turn, {
      agent: 'bouncer',
      outcome: { replies: TEXTS.map((text) => `reply ${text}`), actions: [], events: [], logs: [] },
    });
    const history = await context.findEarlierMessages(user.conversationId, [], 50);
    expect(history.map((message) => message.content)).toEqual([...TEXTS, ...TEXTS.map((text) => `reply ${text}`)]);
  });
});
