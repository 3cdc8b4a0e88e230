import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@nestjs/config';
import { ActionApplier } from '../../src/agents/action-applier';
import { validateEnvironment } from '../../src/config/environment';
import { DatabaseModule } from '../../src/database/database.module';
import { StoredTextScrubber } from '../../src/logging/stored-text.scrubber';
import { ClaimRepository } from '../../src/routing/claim.repository';
import { OutcomeWriter } from '../../src/routing/outcome.writer';
import { FALLBACK_REPLY, TurnRepository, type ClaimedTurn } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';

const LEASE_MS = 60_000;
const reply = (texts: string[]) => ({
  agent: 'bouncer' as const,
  outcome: { replies: texts, actions: [], events: [], logs: [] },
});

/** The claim and commit SQL on its own, without the engine running, so each step can be observed. */
describe('turn claims and fenced commits', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let turns: TurnRepository;
  let user: SeededUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validate: () => validateEnvironment({ DATABASE_URL: db.url, NODE_ENV: 'test' }),
        }),
        DatabaseModule,
      ],
      providers: [StoredTextScrubber, ClaimRepository, OutcomeWriter, ActionApplier, TurnRepository],
    }).compile();
    turns = moduleRef.get(TurnRepository);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    user = await seedUser(db.pool);
  });

  async function claimed(owner = 'worker-a'): Promise<ClaimedTurn> {
    const outcome = await turns.claim(user.userId, 'unused', owner, LEASE_MS, 20);
    if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
    return outcome.turn;
  }
  const states = async () =>
    (
      await db.pool.query(
        `SELECT processing_state, attempts FROM messages WHERE user_id = $1 AND direction = 'inbound' ORDER BY created_at`,
        [user.userId],
      )
    ).rows;
  const outbound = async () =>
    (
      await db.pool.query(
        `SELECT content, reply_to_message_id, sequence_index, role FROM messages WHERE user_id = $1 AND direction = 'outbound' ORDER BY sequence_index`,
        [user.userId],
      )
    ).rows;
  const expireLease = (turn: ClaimedTurn) =>
    db.pool.query(`UPDATE processing_claims SET lease_expires_at = now() - interval '1 second' WHERE claim_key = $1`, [
      turn.key,
    ]);

  it('claims every unfinished message of the user, oldest first, and holds the user while the lease lives', async () => {
    const ids = await insertInbound(db.pool, user, ['one', 'two', 'three']);
    const turn = await claimed();
    expect(turn.messages.map((message) => message.id)).toEqual(ids);
    expect(await states()).toEqual(ids.map(() => ({ processing_state: 'processing', attempts: 1 })));
    expect((await turns.claim(user.userId, ids[0], 'worker-b', LEASE_MS, 20)).kind).toBe('busy');
  });

  it('commits replies with sequence indexes for the last message, and the turn is done', async () => {
    const ids = await insertInbound(db.pool, user, ['hi', 'there']);
    const turn = await claimed();
    expect(await turns.commit(turn, reply(['first', 'second']))).toBe('committed');
    expect(await outbound()).toEqual([
      { content: 'first', reply_to_message_id: ids[1], sequence_index: 0, role: 'bouncer' },
      { content: 'second', reply_to_message_id: ids[1], sequence_index: 1, role: 'bouncer' },
    ]);
    expect(await states()).toEqual([
      { processing_state: 'done', attempts: 1 },
      { processing_state: 'done', attempts: 1 },
    ]);
    // The claim is gone with the commit: committing the same turn again is refused.
    expect(await turns.commit(turn, reply(['again']))).toBe('stale');
    expect(await outbound()).toHaveLength(2);
  });

  it('refuses the commit of a worker whose lease expired and was taken over, and writes nothing for it', async () => {
    await insertInbound(db.pool, user, ['slow one']);
    const stale = await claimed('worker-a');
    await expireLease(stale);
    const fresh = await claimed('worker-b');
    expect(fresh.token).not.toBe(stale.token);
    expect(fresh.messages[0].attempts).toBe(2);

    expect(await turns.commit(stale, reply(['from the stale worker']))).toBe('stale');
    expect(await turns.fail(stale, 'late failure', 5, 1000)).toBe('stale');
    expect(await outbound()).toEqual([]);
    expect(await states()).toEqual([{ processing_state: 'processing', attempts: 2 }]);

    expect(await turns.commit(fresh, reply(['from the owner']))).toBe('committed');
    expect((await outbound()).map((row) => row.content)).toEqual(['from the owner']);
  });

  it('an expired lease with nobody taking over can still be committed by its holder (the token is current)', async () => {
    await insertInbound(db.pool, user, ['late but alone']);
    const turn = await claimed();
    await expireLease(turn);
    expect(await turns.commit(turn, reply(['ok']))).toBe('committed');
  });

  it('a failed attempt waits out its retry delay: the user is deferred until then', async () => {
    await insertInbound(db.pool, user, ['hello']);
    const turn = await claimed();
    const result = await turns.fail(turn, 'model overloaded', 5, 60_000);
    expect(result).toMatchObject({ dead: [] });
    expect(await states()).toEqual([{ processing_state: 'pending', attempts: 1 }]);
    // A new text during the delay waits with the old one, so replies stay in order.
    await insertInbound(db.pool, user, ['are you there?']);
    expect((await turns.claim(user.userId, 'unused', 'worker-a', LEASE_MS, 20)).kind).toBe('deferred');
    await db.pool.query(`UPDATE messages SET next_attempt_at = now() WHERE user_id = $1`, [user.userId]);
    const retry = await claimed();
    expect(retry.messages.map((message) => message.attempts)).toEqual([2, 1]);
  });

  it('on the last attempt the messages are dead with their error and a user who texted gets one fallback text', async () => {
    const [id] = await insertInbound(db.pool, user, ['will fail']);
    const turn = await claimed();
    expect(await turns.fail(turn, 'model down', 1, 0)).toMatchObject({ dead: [id] });
    const row = (
      await db.pool.query(`SELECT processing_state, last_error, processed_at FROM messages WHERE id = $1`, [id])
    ).rows[0];
    expect(row).toMatchObject({ processing_state: 'dead', last_error: 'model down' });
    expect(row.processed_at).toBeInstanceOf(Date);
    expect(await outbound()).toEqual([
      { content: FALLBACK_REPLY, reply_to_message_id: id, sequence_index: 0, role: 'bouncer' },
    ]);
    const log = await db.pool.query(`SELECT action_type, error, input_data FROM agent_actions_log WHERE user_id = $1`, [
      user.userId,
    ]);
    expect(log.rows).toEqual([
      {
        action_type: 'message_processing_error',
        error: 'model down',
        input_data: { message_ids: [id], dead: [id], failure: 'own' },
      },
    ]);
  });

  it('sends no fallback text for a dead system row (the user did not write anything)', async () => {
    await insertInbound(db.pool, user, ['{"type":"re_engagement_check"}'], 'system');
    const turn = await claimed();
    await turns.fail(turn, 'model down', 1, 0);
    expect(await outbound()).toEqual([]);
  });

  it('release gives the turn back untouched for another worker', async () => {
    await insertInbound(db.pool, user, ['interrupted']);
    const turn = await claimed();
    await turns.release(turn);
    expect(await states()).toEqual([{ processing_state: 'pending', attempts: 0 }]);
    expect((await claimed('worker-b')).messages).toHaveLength(1);
  });

  it('the database refuses a second text at the same position of one reply', async () => {
    const [id] = await insertInbound(db.pool, user, ['x']);
    const insert = () =>
      db.pool.query(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
         VALUES ($1, $2, 'bouncer', 'dup', 'outbound', 'pending', $3, 0)`,
        [user.conversationId, user.userId, id],
      );
    await insert();
    await expect(insert()).rejects.toThrow(/messages_reply_sequence_unique/);
  });
});
