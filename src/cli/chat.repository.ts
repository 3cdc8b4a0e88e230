import type { Pool } from 'pg';

export interface ChatReply {
  role: string;
  content: string;
}

export type ReplyWait =
  | { state: 'answered'; replies: ChatReply[] }
  /** The processor finished the message without a reply (nothing to say) or gave up on it (dead). */
  | { state: 'done' | 'dead'; replies: ChatReply[] }
  | { state: 'timeout' };

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/** E.164, as the webhook stores phone numbers. */
export const PHONE = /^\+[1-9]\d{7,14}$/;

/**
 * What the Twilio webhook writes for an inbound SMS, for the local chat command:
 * find or create the user and their active conversation, insert the inbound row; then wait for
 * the processor's committed reply.
 */
export class ChatRepository {
  constructor(private readonly pool: Pool) {}

  /** Safe on concurrent first contact: the unique phone number decides, the loser reads the winner's row. */
  async findOrCreateUser(phone: string): Promise<{ userId: string; created: boolean }> {
    const inserted = await this.pool.query<{ id: string }>(
      `INSERT INTO users (phone_number, poc_agent_type) VALUES ($1, 'bouncer')
       ON CONFLICT (phone_number) DO NOTHING RETURNING id`,
      [phone],
    );
    if (inserted.rows[0]) return { userId: inserted.rows[0].id, created: true };
    // A new statement sees the row the concurrent winner committed.
    const existing = await this.pool.query<{ id: string }>(`SELECT id FROM users WHERE phone_number = $1`, [phone]);
    if (!existing.rows[0]) throw new Error(`user ${phone} vanished during first contact`);
    return { userId: existing.rows[0].id, created: false };
  }

  /**
   * The user's active conversation, created if there is none. The user's row lock serialises
   * concurrent first texts (conversations have no unique key to conflict on); several active rows
   * (left by older writers) resolve to the most recent one instead of a new one.
   */
  async findOrCreateActiveConversation(userId: string, phone: string): Promise<string> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      const active = await client.query<{ id: string }>(
        `SELECT id FROM conversations WHERE user_id = $1 AND status = 'active'
         ORDER BY last_message_at DESC NULLS LAST, created_at DESC LIMIT 1`,
        [userId],
      );
      const id =
        active.rows[0]?.id ??
        (
          await client.query<{ id: string }>(
            `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
            [userId, phone],
          )
        ).rows[0].id;
      await client.query('COMMIT');
      return id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The inbound row as the webhook writes it; the processor picks it up from here. */
  async insertInbound(conversationId: string, userId: string, content: string): Promise<string> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = await client.query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
         VALUES ($1, $2, 'user', $3, 'inbound', 'delivered') RETURNING id`,
        [conversationId, userId, content],
      );
      await client.query(`UPDATE conversations SET last_message_at = now(), updated_at = now() WHERE id = $1`, [
        conversationId,
      ]);
      await client.query('COMMIT');
      return row.rows[0].id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Sends one text as `phone` the way the webhook would; returns the inbound message id. */
  async send(phone: string, content: string): Promise<string> {
    if (!PHONE.test(phone)) throw new Error(`not an E.164 phone number: ${phone}`);
    const { userId } = await this.findOrCreateUser(phone);
    const conversationId = await this.findOrCreateActiveConversation(userId, phone);
    return this.insertInbound(conversationId, userId, content);
  }

  /**
   * Waits until the message is finished: its reply rows and its done-marker commit in one
   * transaction, so once it is done every reply text is visible. Polls with a deadline.
   */
  async waitForReply(messageId: string, options: WaitOptions): Promise<ReplyWait> {
    const deadline = Date.now() + options.timeoutMs;
    const pollMs = options.pollMs ?? 100;
    for (;;) {
      const state = await this.pool.query<{ processing_state: string | null }>(
        `SELECT processing_state FROM messages WHERE id = $1`,
        [messageId],
      );
      const current = state.rows[0]?.processing_state;
      if (current === 'done' || current === 'dead') {
        const replies = await this.pool.query<ChatReply>(
          `SELECT role, content FROM messages
           WHERE reply_to_message_id = $1 AND direction = 'outbound' ORDER BY sequence_index`,
          [messageId],
        );
        if (replies.rows.length > 0 && current === 'done') return { state: 'answered', replies: replies.rows };
        return { state: current, replies: replies.rows };
      }
      if (Date.now() >= deadline || options.signal?.aborted) return { state: 'timeout' };
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
