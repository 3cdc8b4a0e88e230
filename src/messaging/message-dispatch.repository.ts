import { Injectable } from '@nestjs/common';
import { DatabaseService, type Queryable } from '../database/database.service';

/** A queued text as the dispatcher reads it. */
export interface QueueRow {
  id: string;
  user_id: string | null;
  agent_id: string | null;
  final_message: string | null;
  /** What to render in the agent's voice when `final_message` is empty (QueuedMessageRenderer). */
  message_data: unknown;
  priority: string;
  scheduled_for: Date;
  requires_fresh_context: boolean;
  subject: string | null;
  sequence_id: string | null;
  sequence_position: number | null;
  sequence_total: number | null;
  dispatch_attempts: number;
  created_at: Date;
}

/** The recipient, locked for the dispatch of one unit. */
export interface Recipient {
  id: string;
  timezone: string | null;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  opted_out_at: Date | null;
  verified: boolean;
  poc_agent_type: string | null;
}

export interface Budget {
  messages_sent: number;
  daily_limit: number;
  hourly_limit: number;
  quiet_hours_enabled: boolean;
}

/** Lane order as numbers: urgent 0 … low 3; an unknown priority sorts first, so it fails at once. */
const LANE = `CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE -1 END`;

const QUEUE_COLUMNS = `id, user_id, agent_id, final_message, message_data, priority, scheduled_for, requires_fresh_context, subject,
  sequence_id, sequence_position, sequence_total, dispatch_attempts, created_at`;

/** The SQL of the message dispatcher. Every method but the first three runs in the caller's transaction. */
@Injectable()
export class MessageDispatchRepository {
  constructor(readonly database: DatabaseService) {}

  /** Users with a due queued text, the most urgent and oldest first. */
  async dueUsers(now: Date, limit: number): Promise<string[]> {
    const rows = await this.database.query<{ user_id: string }>(
      `SELECT user_id FROM message_queue
        WHERE status = 'queued' AND scheduled_for <= $1 AND user_id IS NOT NULL
        GROUP BY user_id
        ORDER BY min(${LANE}), min(scheduled_for)
        LIMIT $2`,
      [now, limit],
    );
    return rows.map((row) => row.user_id);
  }

  /** Queued texts without a user (a writer's bug): they can never be sent. Returns their priorities. */
  async failUserless(now: Date): Promise<string[]> {
    const rows = await this.database.query<{ priority: string }>(
      `UPDATE message_queue SET status = 'failed', status_reason = 'no user: user_id is empty'
        WHERE id IN (SELECT id FROM message_queue WHERE status = 'queued' AND user_id IS NULL AND scheduled_for <= $1
                     LIMIT 1000 FOR UPDATE SKIP LOCKED)
        RETURNING priority`,
      [now],
    );
    return rows.map((row) => row.priority);
  }

  /** When the next queued text falls due (possibly already). */
  async nextDueAt(): Promise<Date | null> {
    const rows = await this.database.query<{ next: Date | null }>(
      `SELECT min(scheduled_for) AS next FROM message_queue WHERE status = 'queued'`,
    );
    return rows[0]?.next ?? null;
  }

  /** Locks the user for this unit; null when another transaction holds it (try again later) or it is gone. */
  async lockRecipient(client: Queryable, userId: string): Promise<Recipient | 'busy' | 'missing'> {
    const locked = await client.query<Recipient>(
      `SELECT id, timezone, quiet_hours_start::text, quiet_hours_end::text, opted_out_at, verified, poc_agent_type
         FROM users WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED`,
      [userId],
    );
    if (locked.rows[0]) return locked.rows[0];
    const exists = await client.query(`SELECT 1 FROM users WHERE id = $1`, [userId]);
    return exists.rowCount ? 'busy' : 'missing';
  }

  /** The user's most urgent, oldest due text not locked by anyone else. */
  async nextDueRow(client: Queryable, userId: string, now: Date): Promise<QueueRow | null> {
    const result = await client.query<QueueRow>(
      `SELECT ${QUEUE_COLUMNS} FROM message_queue
        WHERE user_id = $1 AND status = 'queued' AND scheduled_for <= $2
        ORDER BY ${LANE}, created_at, sequence_position NULLS FIRST, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED`,
      [userId, now],
    );
    return result.rows[0] ?? null;
  }

  /** Every queued part of a sequence, locked; throws (lock not available) if another transaction holds one. */
  async lockSequence(client: Queryable, sequenceId: string): Promise<QueueRow[]> {
    const result = await client.query<QueueRow>(
      `SELECT ${QUEUE_COLUMNS} FROM message_queue
        WHERE sequence_id = $1 AND status = 'queued'
        ORDER BY sequence_position, id
        FOR UPDATE NOWAIT`,
      [sequenceId],
    );
    return result.rows;
  }

  /** Parts of the sequence that already left the queue (sent, superseded, ...). */
  async settledSequenceParts(client: Queryable, sequenceId: string): Promise<number> {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_queue WHERE sequence_id = $1 AND status <> 'queued'`,
      [sequenceId],
    );
    return result.rows[0].n;
  }

  async finish(
    client: Queryable,
    ids: string[],
    status: 'cancelled' | 'failed' | 'superseded',
    reason: string,
    supersededBy: string | null = null,
  ): Promise<void> {
    await client.query(
      `UPDATE message_queue
          SET status = $2, status_reason = $3,
              superseded_reason = CASE WHEN $2 = 'superseded' THEN $3 ELSE superseded_reason END,
              superseded_by_message_id = COALESCE($4, superseded_by_message_id)
        WHERE id = ANY($1::uuid[]) AND status = 'queued'`,
      [ids, status, reason, supersededBy],
    );
  }

  /** Holds the unit until `until`; it stays queued. */
  async hold(client: Queryable, ids: string[], until: Date, reason: string): Promise<void> {
    await client.query(
      `UPDATE message_queue SET scheduled_for = $2, status_reason = $3 WHERE id = ANY($1::uuid[]) AND status = 'queued'`,
      [ids, until, reason],
    );
  }

  /** A newer queued text on the same subject (another sequence), if any. */
  async newerOnSubject(client: Queryable, row: QueueRow): Promise<string | null> {
    if (!row.subject || !row.user_id) return null;
    const result = await client.query<{ id: string }>(
      `SELECT COALESCE(sequence_id, id) AS id FROM message_queue
        WHERE user_id = $1 AND subject = $2 AND status = 'queued'
          AND COALESCE(sequence_id, id) <> $3 AND created_at > $4
        ORDER BY created_at DESC LIMIT 1`,
      [row.user_id, row.subject, row.sequence_id ?? row.id, row.created_at],
    );
    return result.rows[0]?.id ?? null;
  }

  /** The user's budget row of a local day, created on first use. */
  async budget(client: Queryable, userId: string, date: string): Promise<Budget> {
    await client.query(
      `INSERT INTO user_message_budget (user_id, date) VALUES ($1, $2) ON CONFLICT (user_id, date) DO NOTHING`,
      [userId, date],
    );
    const result = await client.query<Budget>(
      `SELECT messages_sent, daily_limit, hourly_limit, quiet_hours_enabled
         FROM user_message_budget WHERE user_id = $1 AND date = $2`,
      [userId, date],
    );
    return result.rows[0];
  }

  /** Proactive texts (sequences once) sent to the user since `since`, and the oldest of their send times. */
  async sentSince(client: Queryable, userId: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
    const result = await client.query<{ count: number; oldest: Date | null }>(
      `SELECT count(DISTINCT COALESCE(sequence_id, id))::int AS count, min(sent_at) AS oldest
         FROM message_queue WHERE user_id = $1 AND status = 'sent' AND sent_at > $2`,
      [userId, since],
    );
    return result.rows[0];
  }

  /** Whether the user texted us since `since` (an active conversation). */
  async textedSince(client: Queryable, userId: string, since: Date): Promise<boolean> {
    const result = await client.query(
      `SELECT 1 FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user' AND created_at > $2 LIMIT 1`,
      [userId, since],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** The user's active conversation, opened as the webhook would when there is none. */
  async activeConversation(client: Queryable, userId: string): Promise<string> {
    const found = await client.query<{ id: string }>(
      `SELECT id FROM conversations WHERE user_id = $1 AND status = 'active'
        ORDER BY last_message_at DESC NULLS LAST, created_at DESC LIMIT 1`,
      [userId],
    );
    if (found.rows[0]) return found.rows[0].id;
    const created = await client.query<{ id: string }>(
      `INSERT INTO conversations (user_id, phone_number, status)
       SELECT id, phone_number, 'active' FROM users WHERE id = $1 RETURNING id`,
      [userId],
    );
    return created.rows[0].id;
  }

  /** The outbound row (`pending`: the SMS sender picks it up) and the queue row marked sent. */
  async send(
    client: Queryable,
    row: QueueRow,
    text: string,
    role: string,
    conversationId: string,
    now: Date,
  ): Promise<string> {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, queue_message_id)
       VALUES ($1, $2, $3, $4, 'outbound', 'pending', $5) RETURNING id`,
      [conversationId, row.user_id, role, text, row.id],
    );
    const messageId = inserted.rows[0].id;
    await client.query(
      `UPDATE message_queue SET status = 'sent', sent_at = $2, delivered_message_id = $3, status_reason = NULL,
              final_message = COALESCE(NULLIF(btrim(final_message), ''), $4)
        WHERE id = $1`,
      [row.id, now, messageId, text],
    );
    return messageId;
  }

  async countSend(client: Queryable, userId: string, date: string, now: Date): Promise<void> {
    await client.query(
      `UPDATE user_message_budget SET messages_sent = messages_sent + 1, last_message_at = $3
        WHERE user_id = $1 AND date = $2`,
      [userId, date, now],
    );
  }

  /**
   * Records an unexpected error on a unit (outside its rolled-back transaction): it waits
   * `retryMs`, and after `maxAttempts` errors it is failed, so one bad unit never blocks the queue.
   * Returns how many rows it failed.
   */
  async recordError(ids: string[], error: string, retryAt: Date, maxAttempts: number): Promise<number> {
    const rows = await this.database.query<{ status: string }>(
      `UPDATE message_queue
          SET dispatch_attempts = dispatch_attempts + 1,
              status = CASE WHEN dispatch_attempts + 1 >= $4 THEN 'failed' ELSE status END,
              status_reason = CASE WHEN dispatch_attempts + 1 >= $4 THEN 'failed on every dispatch attempt: ' ELSE 'dispatch error: ' END || $2,
              scheduled_for = GREATEST(scheduled_for, $3)
        WHERE id = ANY($1::uuid[]) AND status = 'queued'
        RETURNING status`,
      [ids, error, retryAt, maxAttempts],
    );
    return rows.filter((row) => row.status === 'failed').length;
  }
}
