import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from './database';
import { insertInbound, seedUser, type SeededUser } from './seed';
import { auditReplies, installTurnAudit } from './turn-audit';

/**
 * The reply audit on hand-written histories: the engine's claim and commit statements replayed
 * in SQL, so each invariant is shown to pass on a clean history and to fail on the one it exists
 * to catch.
 */
describe('auditReplies', () => {
  let db: TestDatabase;
  let user: SeededUser;

  beforeEach(async () => {
    db = await createTestDatabase();
    await installTurnAudit(db.pool);
    user = await seedUser(db.pool);
  });

  afterEach(async () => {
    await db.drop();
  });

  const key = () => `user:${user.userId}`;

  /** Takes (or takes over) the user's claim and marks the texts processing under the new token. */
  async function claim(pool: Pool, ids: string[]): Promise<string> {
    const { rows } = await pool.query<{ token: string }>(
      `INSERT INTO processing_claims (claim_key, token, owner, lease_expires_at)
       VALUES ($1, nextval('processing_claim_token_seq'), 'test', now() + interval '1 minute')
       ON CONFLICT (claim_key) DO UPDATE SET token = EXCLUDED.token RETURNING token::text`,
      [key()],
    );
    await pool.query(
      `UPDATE messages SET processing_state = 'processing', claim_token = $2, attempts = attempts + 1 WHERE id = ANY($1::uuid[])`,
      [ids, rows[0].token],
    );
    return rows[0].token;
  }

  /** One commit: replies to the last text, the done-marker under the token, the claim released. */
  async function commit(token: string, ids: string[], replies: string[], outcome = 'replied'): Promise<void> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      for (const [index, text] of replies.entries()) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
           VALUES ($1, $2, 'bouncer', $3, 'outbound', 'pending', $4, $5)`,
          [user.conversationId, user.userId, text, ids[ids.length - 1], index],
        );
      }
      await client.query(
        `UPDATE messages SET processing_state = 'done', claim_token = NULL, outcome = $3
         WHERE id = ANY($1::uuid[]) AND claim_token = $2`,
        [ids, token, outcome],
      );
      await client.query(`DELETE FROM processing_claims WHERE claim_key = $1 AND token = $2`, [key(), token]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  it('passes a clean history: one group per commit, each text answered once, nothing lost', async () => {
    const first = await insertInbound(db.pool, user, ['hi', 'anyone there?']);
    await commit(await claim(db.pool, first), first, ['Hello!', 'Who told you about us?']);
    const second = await insertInbound(db.pool, user, ['Sarah did']);
    await commit(await claim(db.pool, second), second, ['Thanks.']);

    const audit = await auditReplies(db.pool);
    expect(audit.groups.map((group) => group.covers.sort())).toEqual([[...first].sort(), second]);
    expect(audit.groupsWithoutOneToken).toEqual([]);
    expect(audit.doubleAnswered).toEqual([]);
    expect(audit.lost).toEqual([]);
    expect(audit.overlaps).toEqual([]);
  });

  it('sees a stale worker that answers a text again after the new owner answered it with the next one', async () => {
    const [m1] = await insertInbound(db.pool, user, ['first']);
    const stale = await claim(db.pool, [m1]);
    const [m2] = await insertInbound(db.pool, user, ['second']);
    const owner = await claim(db.pool, [m1, m2]);
    await commit(owner, [m1, m2], ['One answer for both.']);
    // The stale worker past a broken fence: its replies go in, its done-marker matches nothing.
    await commit(stale, [m1], ['A second answer to the first.']);

    // Each text was marked done exactly once: counting done-markers sees nothing wrong.
    const marks = await db.pool.query(
      `SELECT message_id FROM test_turn_audit WHERE transition = 'done' GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(marks.rows).toEqual([]);
    const audit = await auditReplies(db.pool);
    expect(audit.groupsWithoutOneToken).toEqual([
      expect.objectContaining({ replyTo: m1, committedBy: [], writer: stale, covers: [m1] }),
    ]);
    expect(audit.doubleAnswered).toEqual([m1]);
    expect(audit.overlaps).toEqual([{ key: key(), first: stale, second: owner }]);
    expect(audit.lost).toEqual([]);
  });

  it('blames the stale token, not the new owner still working on the same texts', async () => {
    const [m1] = await insertInbound(db.pool, user, ['first']);
    const stale = await claim(db.pool, [m1]);
    const owner = await claim(db.pool, [m1]);
    // The stale worker writes while the new owner still holds the claim (it fails later).
    await commit(stale, [m1], ['A late answer.']);
    await db.pool.query(`UPDATE messages SET processing_state = 'pending', claim_token = NULL WHERE id = $1`, [m1]);
    await db.pool.query(`DELETE FROM processing_claims WHERE token = $1`, [owner]);

    const audit = await auditReplies(db.pool);
    expect(audit.groupsWithoutOneToken).toEqual([expect.objectContaining({ writer: stale, covers: [m1] })]);
    expect(audit.overlaps).toEqual([{ key: key(), first: stale, second: owner }]);
  });

  it('calls a text lost when it never finished, or finished as replied with no reply', async () => {
    const [waiting] = await insertInbound(db.pool, user, ['still waiting']);
    const [claimedOnly] = await insertInbound(db.pool, user, ['claimed, never committed']);
    await claim(db.pool, [claimedOnly]);
    const [silent] = await insertInbound(db.pool, user, ['marked replied, nothing sent']);
    await db.pool.query(`DELETE FROM processing_claims`);
    await commit(await claim(db.pool, [silent]), [silent], [], 'replied');

    const audit = await auditReplies(db.pool);
    expect(audit.lost).toEqual(
      expect.arrayContaining([
        { id: waiting, state: 'pending', why: 'not terminal' },
        { id: claimedOnly, state: 'processing', why: 'not terminal' },
        { id: silent, state: 'done', why: 'marked replied, but no reply answers it' },
      ]),
    );
    expect(audit.lost).toHaveLength(3);
  });

  it('accepts a text finished without a reply when the row says why', async () => {
    const [quiet] = await insertInbound(db.pool, user, ['ok']);
    await commit(await claim(db.pool, [quiet]), [quiet], [], 'no_reply');
    const [unexplained] = await insertInbound(db.pool, user, ['hm']);
    await db.pool.query(`UPDATE messages SET processing_state = 'done' WHERE id = $1`, [unexplained]);

    const audit = await auditReplies(db.pool);
    expect(audit.lost).toEqual([{ id: unexplained, state: 'done', why: 'no reply and no recorded reason' }]);
  });
});
