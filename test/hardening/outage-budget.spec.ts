import type { TestingModule } from '@nestjs/testing';
import { FALLBACK_REPLY, TurnRepository, type ClaimedTurn } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { repositoryModule } from './repository-module';

const HOUR = 3_600_000;

/**
 * The retry budget of an outage is time, read from the rows: the clock is moved by moving
 * `first_failed_at` back, as if the outage had lasted that long.
 */
describe('outage retry budget by time', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let turns: TurnRepository;
  let user: SeededUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await repositoryModule(db.url);
    turns = moduleRef.get(TurnRepository);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    user = await seedUser(db.pool);
  });

  async function claim(): Promise<ClaimedTurn> {
    await db.pool.query(`UPDATE messages SET next_attempt_at = NULL WHERE user_id = $1`, [user.userId]);
    const outcome = await turns.claim(user.userId, 'unused', 'worker-a', 60_000, 20);
    if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
    return outcome.turn;
  }
  const failingSince = (ms: number) =>
    db.pool.query(`UPDATE messages SET first_failed_at = now() - $2 * interval '1 millisecond' WHERE user_id = $1`, [
      user.userId,
      ms,
    ]);
  const state = async (id: string) =>
    (await db.pool.query(`SELECT processing_state, charged_failures FROM messages WHERE id = $1`, [id])).rows[0];
  const queued = async () =>
    (await db.pool.query(`SELECT subject FROM message_queue WHERE user_id = $1`, [user.userId])).rows;
  const outage = { kind: 'outage' as const, outageBudgetMs: HOUR, holdingAfterMs: 60_000 };

  it('an outage shorter than the budget keeps the text, however many attempts it took', async () => {
    const [id] = await insertInbound(db.pool, user, ['hello']);
    for (let attempt = 0; attempt < 12; attempt += 1) {
      expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ dead: [] });
    }
    await failingSince(HOUR - 60_000);
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ dead: [] });
    expect(await state(id)).toEqual({ processing_state: 'pending', charged_failures: 0 });
  });

  it('a text still failing after the whole budget is dead with one fallback text', async () => {
    const [id] = await insertInbound(db.pool, user, ['hello']);
    await turns.fail(await claim(), 'overloaded', 2, 10, outage);
    await failingSince(HOUR + 1000);
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ dead: [id] });
    const replies = await db.pool.query(`SELECT content FROM messages WHERE reply_to_message_id = $1`, [id]);
    expect(replies.rows).toEqual([{ content: FALLBACK_REPLY }]);
  });

  it('a configuration error never makes a text dead', async () => {
    const [id] = await insertInbound(db.pool, user, ['hello']);
    await turns.fail(await claim(), '401', 1, 10, { kind: 'config', holdingAfterMs: 60_000 });
    await failingSince(100 * HOUR);
    expect(await turns.fail(await claim(), '401', 1, 10, { kind: 'config', holdingAfterMs: 60_000 })).toMatchObject({
      dead: [],
    });
    expect((await state(id)).processing_state).toBe('pending');
  });

  it('one holding text per run of failures: none before the threshold, one after, and a new one for a new outage', async () => {
    await insertInbound(db.pool, user, ['first']);
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ held: false });
    await failingSince(61_000);
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ held: true });
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ held: false });
    expect(await queued()).toEqual([{ subject: 'reply_delayed' }]);
    // Recovery answers the text; a later outage starts a new run.
    await turns.commit(await claim(), {
      agent: 'bouncer',
      outcome: { replies: ['hi'], actions: [], events: [], logs: [] },
    });
    await insertInbound(db.pool, user, ['second']);
    await turns.fail(await claim(), 'overloaded', 2, 10, outage);
    // The run is told by its texts, not by comparing clocks: this outage's first failure is stamped
    // before the first holding text was queued, and it still gets its own.
    await failingSince(61_000);
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ held: true });
    expect(await turns.fail(await claim(), 'overloaded', 2, 10, outage)).toMatchObject({ held: false });
  });

  it('an opted-out user whose text dies gets no fallback text', async () => {
    const [id] = await insertInbound(db.pool, user, ['hello']);
    await db.pool.query(`UPDATE users SET opted_out_at = now() WHERE id = $1`, [user.userId]);
    expect(await turns.fail(await claim(), 'bad output', 1, 10, { kind: 'own' })).toMatchObject({ dead: [id] });
    const replies = await db.pool.query(`SELECT content FROM messages WHERE reply_to_message_id = $1`, [id]);
    expect(replies.rows).toEqual([]);
  });

  it('failures of the text itself are charged and make it dead after MAX_ATTEMPTS', async () => {
    const [id] = await insertInbound(db.pool, user, ['hello']);
    expect(await turns.fail(await claim(), 'bad output', 2, 10, { kind: 'own' })).toMatchObject({ dead: [] });
    expect(await turns.fail(await claim(), 'bad output', 2, 10, { kind: 'own' })).toMatchObject({ dead: [id] });
    expect(await queued()).toEqual([]);
  });
});
