import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR, runMigrations } from '../../src/database/migrations.runner';
import { createEmptyDatabase } from '../support/database';

const quiet = { log: () => undefined };
const CORE_SCHEMA = '20250101000000_core_schema.sql';
const PROCESSING_STATE = '20250101000100_processing_state.sql';
const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith('.sql'))
  .sort();

const RE_ENGAGEMENT = JSON.stringify({ type: 're_engagement_check', attemptCount: 1, currentStep: 'email' });

interface Seeded {
  answered: string;
  reEngagementPending: string;
  textPending: string;
  handledSilently: string;
  tooOld: string;
  reEngagementAnswered: string;
}

/**
 * The database as the original processor leaves it: the core schema only (no processing columns),
 * texts it answered (an outbound row after them), texts and system rows it never handled.
 */
async function seedOriginal(client: Client): Promise<Seeded> {
  const user = async (phone: string) => {
    const u = await client.query<{ id: string }>(
      `INSERT INTO users (phone_number, verified, poc_agent_type) VALUES ($1, false, 'bouncer') RETURNING id`,
      [phone],
    );
    const c = await client.query<{ id: string }>(
      `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
      [u.rows[0].id, phone],
    );
    return { userId: u.rows[0].id, conversationId: c.rows[0].id };
  };
  const message = async (
    who: { userId: string; conversationId: string },
    role: string,
    content: string,
    direction: string,
    minutesAgo: number,
  ) =>
    (
      await client.query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'delivered', now() - $6 * interval '1 minute') RETURNING id`,
        [who.conversationId, who.userId, role, content, direction, minutesAgo],
      )
    ).rows[0].id;

  const a = await user('+15550009001');
  const answered = await message(a, 'user', 'hi there', 'inbound', 30);
  await message(a, 'bouncer', 'Hello, who referred you?', 'outbound', 29);
  // Written by the task processor minutes before the cutover; the original processor was stopped.
  const reEngagementPending = await message(a, 'system', RE_ENGAGEMENT, 'inbound', 3);

  const b = await user('+15550009002');
  const textPending = await message(b, 'user', 'are you there?', 'inbound', 2);

  // Handled with no reply: the original agent logged its invocation.
  const c = await user('+15550009003');
  const handledSilently = await message(c, 'user', 'ok', 'inbound', 10);
  await client.query(
    `INSERT INTO agent_actions_log (agent_type, action_type, user_id, created_at)
     VALUES ('bouncer', 'agent_invocation', $1, now() - interval '9 minutes')`,
    [c.userId],
  );

  // Unanswered for days: not something to answer now.
  const d = await user('+15550009004');
  const tooOld = await message(d, 'user', 'hello?', 'inbound', 3 * 24 * 60);

  const e = await user('+15550009005');
  const reEngagementAnswered = await message(e, 'system', RE_ENGAGEMENT, 'inbound', 60);
  await message(e, 'bouncer', 'Still keen to join?', 'outbound', 59);

  return { answered, reEngagementPending, textPending, handledSilently, tooOld, reEngagementAnswered };
}

async function states(client: Client, ids: Seeded): Promise<Record<keyof Seeded, string>> {
  const rows = await client.query<{ id: string; processing_state: string }>(
    `SELECT id, processing_state FROM messages WHERE id = ANY($1::uuid[])`,
    [Object.values(ids)],
  );
  const byId = new Map(rows.rows.map((row) => [row.id, row.processing_state]));
  return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, byId.get(id)])) as Record<
    keyof Seeded,
    string
  >;
}

describe('cutover from the original processor', () => {
  let db: { url: string; drop: () => Promise<void> };
  let client: Client;

  beforeEach(async () => {
    db = await createEmptyDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(readFileSync(join(MIGRATIONS_DIR, CORE_SCHEMA), 'utf8'));
  });

  afterEach(async () => {
    await client?.end();
    await db?.drop();
  });

  it('the first boot keeps what the original processor never handled pending, and the rest done', async () => {
    const ids = await seedOriginal(client);
    await runMigrations(db.url, quiet);
    expect(await states(client, ids)).toEqual({
      answered: 'done',
      reEngagementPending: 'pending',
      textPending: 'pending',
      handledSilently: 'done',
      tooOld: 'done',
      reEngagementAnswered: 'done',
    });
  });

  it('on a database cut over long ago it reopens nothing', async () => {
    const ids = await seedOriginal(client);
    for (const file of MIGRATION_FILES.filter((name) => name !== CORE_SCHEMA)) {
      await client.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      if (file === PROCESSING_STATE) {
        // The first migration ran two hours before the later ones (an earlier deploy).
        await client.query(
          `UPDATE messages SET processed_at = now() - interval '2 hours' WHERE processed_at IS NOT NULL`,
        );
      }
    }
    expect(Object.values(await states(client, ids))).toEqual(Array(6).fill('done'));
  });
});
