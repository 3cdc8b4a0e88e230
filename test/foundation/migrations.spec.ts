import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type Notification } from 'pg';
import { MIGRATIONS_DIR, runMigrations } from '../../src/database/migrations.runner';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/database';

const quiet = { log: () => undefined };
const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith('.sql'))
  .sort();
const MIGRATION_NAMES = MIGRATION_FILES.map((file) => file.replace(/\.sql$/, ''));

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Names in pgmigrations, in order. */
async function appliedMigrations(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
    return rows.map((row) => row.name);
  });
}

/** A fingerprint of the public schema: every column, constraint, index and trigger (not the runner's table). */
async function schemaFingerprint(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ item: string }>(`
      SELECT item FROM (
      SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '') AS item
        FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || conname FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT 'idx ' || indexname FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'trg ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      ) schema WHERE item NOT LIKE '% pgmigrations%' ORDER BY 1`);
    return rows.map((row) => row.item).join('\n');
  });
}

describe('migrations', () => {
  it('apply once on an empty database, and a second run is a no-op', async () => {
    const db = await createEmptyDatabase();
    try {
      expect(await runMigrations(db.url, quiet)).toEqual(MIGRATION_NAMES);
      const before = await schemaFingerprint(db.url);
      expect(before).toContain('col messages.processing_state');

      expect(await runMigrations(db.url, quiet)).toEqual([]);
      expect(await appliedMigrations(db.url)).toEqual(MIGRATION_NAMES);
      expect(await schemaFingerprint(db.url)).toBe(before);
    } finally {
      await db.drop();
    }
  });

  it('four instances migrating one empty database at once all succeed and apply each migration once', async () => {
    const db = await createEmptyDatabase();
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => runMigrations(db.url, quiet)));
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const applied = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      // Between them they applied every migration exactly once (one waited for the other's lock).
      expect([...applied].sort()).toEqual(MIGRATION_NAMES);
      expect(await appliedMigrations(db.url)).toEqual(MIGRATION_NAMES);
    } finally {
      await db.drop();
    }
  });

  it('add messages and events to the supabase_realtime publication when it exists', async () => {
    const db = await createEmptyDatabase();
    try {
      await withClient(db.url, (client) => client.query('CREATE PUBLICATION supabase_realtime'));
      await runMigrations(db.url, quiet);
      // A second run must not fail on "already member of publication".
      await runMigrations(db.url, quiet);
      const tables = await withClient(db.url, async (client) => {
        const { rows } = await client.query<{ tablename: string }>(
          `SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime' ORDER BY tablename`,
        );
        return rows.map((row) => row.tablename);
      });
      expect(tables).toEqual(['events', 'messages']);
    } finally {
      await db.drop();
    }
  });

  it('are safe to apply whole, as the Supabase CLI does, and the boot migration accepts the result', async () => {
    // `supabase db push` executes every file in full: nothing in a file may undo what it creates.
    const db = await createEmptyDatabase();
    try {
      await withClient(db.url, async (client) => {
        for (const file of MIGRATION_FILES) await client.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      });
      const afterCli = await schemaFingerprint(db.url);
      for (const expected of [
        'col users.phone_number',
        'col messages.processing_state',
        'col messages.sequence_index',
        'col events.processing_state',
        'con messages messages_reply_sequence_unique',
        'trg messages notify_inbound_message',
        'trg events notify_agent_event',
      ]) {
        expect(afterCli).toContain(expected);
      }
      // Then the service boots against it: its runner re-applies the (idempotent) files once.
      expect(await runMigrations(db.url, quiet)).toEqual(MIGRATION_NAMES);
      expect(await schemaFingerprint(db.url)).toBe(afterCli);
    } finally {
      await db.drop();
    }
  });
});

describe('schema', () => {
  let db: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO users (phone_number) VALUES ('+1555' || floor(random() * 1e7)::text) RETURNING id`,
    );
    userId = rows[0].id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function insertMessage(direction: 'inbound' | 'outbound', extra: Record<string, unknown> = {}) {
    const columns = ['user_id', 'role', 'content', 'direction', ...Object.keys(extra)];
    const values = [userId, direction === 'inbound' ? 'user' : 'concierge', 'hi', direction, ...Object.values(extra)];
    const { rows } = await db.pool.query<{ id: string; processing_state: string | null }>(
      `INSERT INTO messages (${columns.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})
       RETURNING id, processing_state`,
      values,
    );
    return rows[0];
  }

  it('marks an inbound message pending and leaves an outbound one NULL, whatever the writer sent', async () => {
    expect((await insertMessage('inbound')).processing_state).toBe('pending');
    expect((await insertMessage('outbound')).processing_state).toBeNull();
    expect((await insertMessage('outbound', { processing_state: 'pending' })).processing_state).toBeNull();
  });

  it('defaults events to pending, and an event inserted already processed to done', async () => {
    const { rows } = await db.pool.query<{ processed: boolean; processing_state: string }>(
      `INSERT INTO events (event_type, payload) VALUES ('a.b', '{}'), ('a.c', '{}')
       RETURNING processed, processing_state`,
    );
    expect(rows).toEqual([
      { processed: false, processing_state: 'pending' },
      { processed: false, processing_state: 'pending' },
    ]);
    const done = await db.pool.query<{ processing_state: string }>(
      `INSERT INTO events (event_type, payload, processed) VALUES ('a.d', '{}', true) RETURNING processing_state`,
    );
    expect(done.rows[0].processing_state).toBe('done');
  });

  it('rejects a second outbound text at the same position of the same reply', async () => {
    const inbound = await insertMessage('inbound');
    await insertMessage('outbound', { reply_to_message_id: inbound.id, sequence_index: 0 });
    await insertMessage('outbound', { reply_to_message_id: inbound.id, sequence_index: 1 });
    await expect(insertMessage('outbound', { reply_to_message_id: inbound.id, sequence_index: 0 })).rejects.toThrow(
      /messages_reply_sequence_unique/,
    );
  });

  it('rejects an unknown processing state', async () => {
    await expect(insertMessage('inbound', { processing_state: 'lost' })).rejects.toThrow(/processing_state_check/);
  });

  describe('notify triggers', () => {
    let listener: Client;

    beforeAll(async () => {
      listener = new Client({ connectionString: db.url });
      await listener.connect();
      await listener.query('LISTEN inbound_messages');
      await listener.query('LISTEN agent_events');
    });

    afterAll(async () => {
      await listener?.end();
    });

    /** Resolves with the first notification on `channel` whose payload satisfies `match`. */
    async function nextNotification(channel: string, match: (payload: Record<string, unknown>) => boolean) {
      for (;;) {
        const [notification] = (await once(listener, 'notification')) as [Notification];
        const payload = JSON.parse(notification.payload ?? '{}') as Record<string, unknown>;
        if (notification.channel === channel && match(payload)) return payload;
      }
    }

    it('wake up inbound_messages with the new inbound id, and not for outbound rows', async () => {
      const inboundId = randomUUID();
      const outboundId = randomUUID();
      const received: Record<string, unknown>[] = [];
      const collect = (notification: Notification) =>
        received.push(JSON.parse(notification.payload ?? '{}') as Record<string, unknown>);
      listener.on('notification', collect);
      try {
        const woken = nextNotification('inbound_messages', (payload) => payload.id === inboundId);
        await insertMessage('outbound', { id: outboundId });
        await insertMessage('inbound', { id: inboundId });
        expect(await woken).toEqual({ id: inboundId, user_id: userId });
        // Notifications arrive in commit order: the outbound row, committed first, sent none.
        expect(received.map((payload) => payload.id)).not.toContain(outboundId);
      } finally {
        listener.off('notification', collect);
      }
    });

    it('wake up agent_events with the id, even for a payload far over the 8 kB NOTIFY limit', async () => {
      const id = randomUUID();
      const woken = nextNotification('agent_events', (payload) => payload.id === id);
      const payload = { blob: 'x'.repeat(20_000) };
      await db.pool.query(`INSERT INTO events (id, event_type, payload) VALUES ($1, 'big.payload', $2)`, [id, payload]);
      expect(await woken).toEqual({ id, event_type: 'big.payload' });
      const { rows } = await db.pool.query<{ size: number }>(
        'SELECT length(payload::text) AS size FROM events WHERE id = $1',
        [id],
      );
      expect(rows[0].size).toBeGreaterThan(20_000);
    });
  });
});
