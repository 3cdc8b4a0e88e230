import type { Pool, PoolClient } from 'pg';

type Db = Pool | PoolClient;

export interface SeededUser {
  userId: string;
  conversationId: string;
  phone: string;
}

let phoneCounter = 0;
/** A unique E.164-looking number per call within a run. */
export function nextPhone(): string {
  phoneCounter += 1;
  return `+1555${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** A user with an active conversation, as the webhook creates them. */
export async function seedUser(
  db: Db,
  fields: { phone?: string; verified?: boolean; poc_agent_type?: string | null; first_name?: string } = {},
): Promise<SeededUser> {
  const phone = fields.phone ?? nextPhone();
  const user = await db.query<{ id: string }>(
    `INSERT INTO users (phone_number, verified, poc_agent_type, first_name) VALUES ($1, $2, $3, $4) RETURNING id`,
    [
      phone,
      fields.verified ?? false,
      fields.poc_agent_type === undefined ? 'bouncer' : fields.poc_agent_type,
      fields.first_name ?? null,
    ],
  );
  const conversation = await db.query<{ id: string }>(
    `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
    [user.rows[0].id, phone],
  );
  return { userId: user.rows[0].id, conversationId: conversation.rows[0].id, phone };
}

/** Inserts inbound texts the way the webhook does; several texts in one call share one transaction. */
export async function insertInbound(
  pool: Pool,
  user: SeededUser,
  contents: string[],
  role: 'user' | 'system' = 'user',
): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ids: string[] = [];
    for (const [index, content] of contents.entries()) {
      // Strictly increasing within the burst, as separate webhook calls would stamp them.
      const row = await client.query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
         VALUES ($1, $2, $3, $4, 'inbound', 'delivered', clock_timestamp() + $5 * interval '1 millisecond') RETURNING id`,
        [user.conversationId, user.userId, role, content, index],
      );
      ids.push(row.rows[0].id);
    }
    await client.query('COMMIT');
    return ids;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

export async function insertEvent(
  db: Db,
  eventType: string,
  payload: unknown,
  aggregateId: string | null = null,
): Promise<string> {
  const row = await db.query<{ id: string }>(
    `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_by)
     VALUES ($1, $2, $3, $4::jsonb, 'test') RETURNING id`,
    [eventType, aggregateId, aggregateId ? 'user' : null, JSON.stringify(payload)],
  );
  return row.rows[0].id;
}
