import type { Pool } from 'pg';

/** A user's agent_actions_log action types, oldest first. */
export async function logTypes(pool: Pool, userId: string): Promise<string[]> {
  const { rows } = await pool.query<{ action_type: string }>(
    `SELECT action_type FROM agent_actions_log WHERE user_id = $1 ORDER BY created_at`,
    [userId],
  );
  return rows.map((row) => row.action_type);
}
