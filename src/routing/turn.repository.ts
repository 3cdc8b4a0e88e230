import { Injectable } from '@nestjs/common';
import type { TurnResult } from '../agents/agent.types';
import { DatabaseService } from '../database/database.service';
import { ClaimRepository } from './claim.repository';
import { OutcomeWriter } from './outcome.writer';

export interface ClaimedMessage {
  id: string;
  conversationId: string | null;
  attempts: number;
  role: string;
  /** The row's created_at: when the webhook stored the text. */
  createdAt: Date;
}

export interface ClaimedTurn {
  key: string;
  token: string;
  userId: string | null;
  /** Oldest first. */
  messages: ClaimedMessage[];
}

export type ClaimOutcome =
  { kind: 'claimed'; turn: ClaimedTurn } | { kind: 'busy' } | { kind: 'nothing' } | { kind: 'deferred' };

export interface FailureResult {
  dead: string[];
  retryAt: Date | null;
}

/** A short, honest text for a user whose message could not be answered after every attempt. */
export const FALLBACK_REPLY =
  "Sorry, I couldn't process your last message because of a problem on our side. Please try again in a little while.";

/** The claim key of a user's turns; rows without a user are processed one by one. */
export function turnKey(userId: string | null, messageId: string): string {
  return userId ? `user:${userId}` : `message:${messageId}`;
}

/** SQL of one agent turn: claim the user's unfinished messages, then commit, fail or release them. */
@Injectable()
export class TurnRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly claims: ClaimRepository,
    private readonly outcomes: OutcomeWriter,
  ) {}

  /**
   * Claims every unfinished inbound message of the user (or the one message without a user),
   * oldest first, unless one of them is waiting out a retry delay: then the whole user waits,
   * so replies stay in order and an outage does not burn attempts.
   */
  claim(
    userId: string | null,
    messageId: string,
    owner: string,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimOutcome> {
    const key = turnKey(userId, messageId);
    return this.database.transaction(async (client) => {
      const token = await this.claims.take(client, key, owner, leaseMs);
      if (token === null) return { kind: 'busy' };
      const scope = userId ? `user_id = $1` : `id = $1 AND user_id IS NULL`;
      const waiting = await client.query(
        `SELECT 1 FROM messages WHERE ${scope} AND direction = 'inbound'
           AND processing_state = 'pending' AND next_attempt_at > now() LIMIT 1`,
        [userId ?? messageId],
      );
      if (waiting.rowCount) {
        await this.claims.release(client, key, token);
        return { kind: 'deferred' };
      }
      const claimed = await client.query<{
        id: string;
        conversation_id: string | null;
        attempts: number;
        role: string;
        created_at: Date;
      }>(
        `WITH due AS (
           SELECT id FROM messages
           WHERE ${scope} AND direction = 'inbound' AND processing_state IN ('pending', 'processing')
           ORDER BY created_at, id
           LIMIT $3
           FOR UPDATE
         )
         UPDATE messages m
           SET processing_state = 'processing', claim_token = $2, attempts = m.attempts + 1, next_attempt_at = NULL
         FROM due WHERE m.id = due.id
         RETURNING m.id, m.conversation_id, m.attempts, m.role, m.created_at`,
        [userId ?? messageId, token, limit],
      );
      if (claimed.rowCount === 0) {
        await this.claims.release(client, key, token);
        return { kind: 'nothing' };
      }
      const messages = [...claimed.rows]
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id))
        .map((row) => ({
          id: row.id,
          conversationId: row.conversation_id,
          attempts: row.attempts,
          role: row.role,
          createdAt: row.created_at,
        }));
      return { kind: 'claimed', turn: { key, token, userId, messages } };
    });
  }

  /** Writes the agent's replies, effects, events and logs and marks the turn done — or nothing if the claim was lost. */
  commit(turn: ClaimedTurn, result: TurnResult): Promise<'committed' | 'stale'> {
    return this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, turn.key, turn.token))) return 'stale';
      const last = turn.messages[turn.messages.length - 1];
      if (result.outcome.replies.length > 0) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
           SELECT $1, $2, $3, reply.content, 'outbound', 'pending', $4, reply.position - 1
           FROM unnest($5::text[]) WITH ORDINALITY AS reply(content, position)`,
          [last.conversationId, turn.userId, result.agent, last.id, result.outcome.replies],
        );
      }
      await this.outcomes.write(client, result.outcome);
      await client.query(
        `UPDATE messages SET processing_state = 'done', processed_at = now(), claim_token = NULL, last_error = NULL
         WHERE id = ANY($1::uuid[]) AND claim_token = $2`,
        [turn.messages.map((message) => message.id), turn.token],
      );
      await this.claims.release(client, turn.key, turn.token);
      return 'committed';
    });
  }

  /**
   * Records a failed attempt: messages out of attempts become dead (and a user who texted gets
   * one fallback reply), the others wait `retryDelayMs` before the next try.
   */
  fail(turn: ClaimedTurn, error: string, maxAttempts: number, retryDelayMs: number): Promise<FailureResult | 'stale'> {
    return this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, turn.key, turn.token))) return 'stale';
      const updated = await client.query<{ id: string; processing_state: string; next_attempt_at: Date | null }>(
        `UPDATE messages SET
           processing_state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END,
           processed_at = CASE WHEN attempts >= $3 THEN now() END,
           next_attempt_at = CASE WHEN attempts >= $3 THEN NULL ELSE now() + $4 * interval '1 millisecond' END,
           last_error = $5,
           claim_token = NULL
         WHERE id = ANY($1::uuid[]) AND claim_token = $2
         RETURNING id, processing_state, next_attempt_at`,
        [turn.messages.map((message) => message.id), turn.token, maxAttempts, retryDelayMs, error],
      );
      const deadIds = new Set(updated.rows.filter((row) => row.processing_state === 'dead').map((row) => row.id));
      // The audit trail the product reads (brief: message_processing_error) gets every failed attempt.
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, input_data, error)
         VALUES ('realtime-processor', 'message_processing_error', $1, $2, $3)`,
        [turn.userId, { message_ids: turn.messages.map((message) => message.id), dead: [...deadIds] }, error],
      );
      const lastDeadUserText = [...turn.messages]
        .reverse()
        .find((message) => deadIds.has(message.id) && message.role === 'user');
      if (lastDeadUserText && turn.userId) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
           SELECT $1, u.id,
                  CASE WHEN u.verified AND u.poc_agent_type IN ('concierge', 'innovator') THEN u.poc_agent_type ELSE 'bouncer' END,
                  $3, 'outbound', 'pending', $4, 0
           FROM users u WHERE u.id = $2
           ON CONFLICT (reply_to_message_id, sequence_index) DO NOTHING`,
          [lastDeadUserText.conversationId, turn.userId, FALLBACK_REPLY, lastDeadUserText.id],
        );
      }
      await this.claims.release(client, turn.key, turn.token);
      const retryAt = updated.rows.find((row) => row.next_attempt_at)?.next_attempt_at ?? null;
      return { dead: [...deadIds], retryAt };
    });
  }

  /** Gives the turn back untouched (shutdown): the attempt does not count and anyone may take it at once. */
  async release(turn: ClaimedTurn): Promise<void> {
    await this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, turn.key, turn.token))) return;
      await client.query(
        `UPDATE messages SET processing_state = 'pending', attempts = GREATEST(attempts - 1, 0), claim_token = NULL
         WHERE id = ANY($1::uuid[]) AND claim_token = $2`,
        [turn.messages.map((message) => message.id), turn.token],
      );
      await this.claims.release(client, turn.key, turn.token);
    });
  }

  /** The user of a message, for wake-ups that carry only its id. */
  async userOf(messageId: string): Promise<{ userId: string | null } | null> {
    const rows = await this.database.query<{ user_id: string | null }>(
      `SELECT user_id FROM messages WHERE id = $1 AND direction = 'inbound'`,
      [messageId],
    );
    return rows[0] ? { userId: rows[0].user_id } : null;
  }
}
