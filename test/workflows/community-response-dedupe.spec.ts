import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { MIGRATIONS_DIR, runMigrations } from '../../src/database/migrations.runner';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser } from '../support/seed';

const MIGRATION = readFileSync(join(MIGRATIONS_DIR, '20261201008000_community_response_dedupe.sql'), 'utf8');

/**
 * A database that holds several answers by one member to one community request (written before the
 * unique index existed): the dedupe migration merges each group into its oldest row and only then
 * builds the index. The database starts from the full schema with the index dropped and the
 * duplicates inserted, then the migration file runs as a migration runner or the Supabase CLI runs it.
 */
describe('migration 20261201008000: community responses deduplicated before the unique index', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool;
    await pool.query(`DROP INDEX community_responses_request_user_key`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const request = async (requesterId: string): Promise<string> =>
    (
      await pool.query<{ id: string }>(
        `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, expertise_needed, responses_count)
         VALUES ('concierge', $1, 'q', ARRAY['pricing'], 0) RETURNING id`,
        [requesterId],
      )
    ).rows[0].id;

  const answer = async (
    requestId: string,
    userId: string,
    at: string,
    fields: Partial<Record<'response_text' | 'status' | 'usefulness_score' | 'credits_awarded', unknown>> = {},
  ): Promise<string> =>
    (
      await pool.query<{ id: string }>(
        `INSERT INTO community_responses (request_id, user_id, created_at, response_text, status, usefulness_score, credits_awarded)
         VALUES ($1, $2, $3, $4, COALESCE($5, 'provided'), $6, $7) RETURNING id`,
        [
          requestId,
          userId,
          at,
          fields.response_text ?? null,
          fields.status ?? null,
          fields.usefulness_score ?? null,
          fields.credits_awarded ?? null,
        ],
      )
    ).rows[0].id;

  it('merges every duplicate group into its oldest row, repoints priorities, recounts, then builds the index', async () => {
    const requester = await seedUser(pool, { verified: true, poc_agent_type: 'concierge' });
    const expert = await seedUser(pool, { verified: true, poc_agent_type: 'concierge' });
    const other = await seedUser(pool, { verified: true, poc_agent_type: 'concierge' });
    const requestId = await request(requester.userId);
    const oldest = await answer(requestId, expert.userId, '2026-11-01T10:00:00Z');
    const second = await answer(requestId, expert.userId, '2026-11-01T11:00:00Z', {
      response_text: 'use annual pricing',
      usefulness_score: 7,
      credits_awarded: 10,
      status: 'closed_loop',
    });
    const third = await answer(requestId, expert.userId, '2026-11-01T12:00:00Z', {
      response_text: 'later text',
      usefulness_score: 9,
    });
    const single = await answer(requestId, other.userId, '2026-11-01T10:30:00Z', { response_text: 'alone' });
    await pool.query(`UPDATE community_requests SET responses_count = 4 WHERE id = $1`, [requestId]);
    // The requester was told about two of the duplicates: one priority survives, on the kept row.
    for (const itemId of [second, third, single]) {
      await pool.query(
        `INSERT INTO user_priorities (user_id, item_type, item_id, value_score, status) VALUES ($1, 'community_response', $2, 75, 'active')`,
        [requester.userId, itemId],
      );
    }

    await pool.query(MIGRATION);

    const rows = await pool.query(
      `SELECT id, user_id, response_text, usefulness_score, credits_awarded, status FROM community_responses
       WHERE request_id = $1 ORDER BY created_at`,
      [requestId],
    );
    expect(rows.rows).toEqual([
      {
        id: oldest,
        user_id: expert.userId,
        response_text: 'use annual pricing',
        usefulness_score: 9,
        credits_awarded: 10,
        status: 'closed_loop',
      },
      {
        id: single,
        user_id: other.userId,
        response_text: 'alone',
        usefulness_score: null,
        credits_awarded: null,
        status: 'provided',
      },
    ]);
    const priorities = await pool.query<{ item_id: string }>(
      `SELECT item_id FROM user_priorities WHERE user_id = $1 AND item_type = 'community_response' ORDER BY item_id`,
      [requester.userId],
    );
    expect(priorities.rows.map((row) => row.item_id).sort()).toEqual([oldest, single].sort());
    const count = await pool.query(`SELECT responses_count FROM community_requests WHERE id = $1`, [requestId]);
    expect(count.rows[0].responses_count).toBe(2);

    // The index now exists and holds: a second answer by the same member is refused.
    await expect(answer(requestId, expert.userId, '2026-11-02T10:00:00Z')).rejects.toThrow(
      /community_responses_request_user_key/,
    );
    // Running the file again (the runner after the Supabase CLI) changes nothing.
    await pool.query(MIGRATION);
    const again = await pool.query(`SELECT count(*)::int AS n FROM community_responses WHERE request_id = $1`, [
      requestId,
    ]);
    expect(again.rows[0].n).toBe(2);
  });
  it('on a database adopted with duplicates: the file applied first by hand (docs/deploy.md), then every migration applies', async () => {
    const adopted = await createEmptyDatabase();
    const direct = new Pool({ connectionString: adopted.url, max: 2 });
    try {
      // The original's tables, already holding two answers by one member to one request.
      await direct.query(readFileSync(join(MIGRATIONS_DIR, '20250101000000_core_schema.sql'), 'utf8'));
      const requester = await seedUser(direct, { verified: true, poc_agent_type: 'concierge' });
      const expert = await seedUser(direct, { verified: true, poc_agent_type: 'concierge' });
      const requestId = (
        await direct.query<{ id: string }>(
          `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question) VALUES ('concierge', $1, 'q') RETURNING id`,
          [requester.userId],
        )
      ).rows[0].id;
      for (const at of ['2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z']) {
        await direct.query(`INSERT INTO community_responses (request_id, user_id, created_at) VALUES ($1, $2, $3)`, [
          requestId,
          expert.userId,
          at,
        ]);
      }
      await direct.query(MIGRATION);
      const quiet = { log: () => undefined };
      const applied = await runMigrations(adopted.url, quiet);
      expect(applied).toContain('20261201001000_community_response_once');
      expect(applied).toContain('20261201008000_community_response_dedupe');
      const left = await direct.query(`SELECT count(*)::int AS n FROM community_responses WHERE request_id = $1`, [
        requestId,
      ]);
      expect(left.rows[0].n).toBe(1);
    } finally {
      await direct.end();
      await adopted.drop();
    }
  });
});
