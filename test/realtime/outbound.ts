import type { Pool } from 'pg';
import type { SeededUser } from '../support/seed';

/** An outbound row as the SMS pipeline sees them: the feeds must not wake anyone up for it. */
export async function insertOutbound(pool: Pool, user: SeededUser, content: string): Promise<string> {
  const row = await pool.query<{ id: string }>(
    `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
     VALUES ($1, $2, 'bouncer', $3, 'outbound', 'pending') RETURNING id`,
    [user.conversationId, user.userId, content],
  );
  return row.rows[0].id;
}
