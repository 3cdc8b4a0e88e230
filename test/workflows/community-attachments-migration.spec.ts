import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/database/migrations.runner';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertEvent, seedUser } from '../support/seed';

const MIGRATION = readFileSync(join(MIGRATIONS_DIR, '20261201010100_community_request_attachments.sql'), 'utf8');

/**
 * A database whose bus already holds `community.request_attached` events from before the table
 * existed: the migration records each usable one as an attachment, skips the rest, and running it
 * again (the runner after the Supabase CLI) changes nothing.
 */
describe('migration 20261201010100: community request attachments recorded from the bus', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`DROP TABLE community_request_attachments`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('records every attachment the bus announced whose request and member exist, once', async () => {
    const requester = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge' });
    const attached = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge' });
    const requestId = (
      await db.pool.query<{ id: string }>(
        `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question) VALUES ('concierge', $1, 'q') RETURNING id`,
        [requester.userId],
      )
    ).rows[0].id;
    const announced = (payload: Record<string, unknown>) =>
      insertEvent(db.pool, 'community.request_attached', payload, requestId);
    const kept = await announced({
      requestId: requestId.toUpperCase(),
      requestingUserId: attached.userId,
      requestSummary: 'usage pricing',
      question: 'How do I price usage?',
    });
    const nowhere = '00000000-0000-4000-8000-000000000000';
    await announced({ requestId: nowhere, requestingUserId: attached.userId, requestSummary: 'x', question: 'x' });
    await announced({ requestId, requestingUserId: 'not-a-uuid', requestSummary: 'x', question: 'x' });
    await announced({ requestId: 42, requestingUserId: attached.userId });

    await db.pool.query(MIGRATION);
    await db.pool.query(MIGRATION);

    const rows = await db.pool.query(
      `SELECT request_id, user_id, question, request_summary, attached_event_id FROM community_request_attachments`,
    );
    expect(rows.rows).toEqual([
      {
        request_id: requestId,
        user_id: attached.userId,
        question: 'How do I price usage?',
        request_summary: 'usage pricing',
        attached_event_id: kept,
      },
    ]);
  });
});
