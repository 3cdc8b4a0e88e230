import { Injectable } from '@nestjs/common';
import type { TurnResult } from '../agents/agent.types';
import { DatabaseService, type Queryable } from '../database/database.service';
import { StoredTextScrubber } from '../logging/stored-text.scrubber';
import { enqueueMessage } from '../messaging/message-queue.writer';
import { ClaimRepository } from './claim.repository';
import { OUTAGE_BUDGET_EXHAUSTED_PREFIX, type FailureKind } from './failure-kind';
import {
  BAD_INPUT_TEXTS,
  CONTROL_CHARACTERS_PATTERN,
  LOST_ENCODING_PATTERN,
  MAX_INBOUND_CONTENT_CHARS,
  type RejectedMessage,
} from './inbound-validation';
import { OutcomeWriter } from './outcome.writer';
import { retryHorizonMs } from './retry-policy';

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

export type ClaimOutcome = (
  { kind: 'claimed'; turn: ClaimedTurn } | { kind: 'busy' } | { kind: 'nothing' } | { kind: 'deferred' }
) & {
  /** Bad input found while claiming: already dead with its reason, never part of a turn. */
  rejected?: RejectedMessage[];
};

/** See retryHorizonMs: the horizon with the default RETRY_MAX_DELAY_MS. */
export const DEFAULT_RETRY_HORIZON_MS = retryHorizonMs(300_000);

export interface FailureResult {
  dead: string[];
  retryAt: Date | null;
  /** A holding text was queued for the user with this failure. */
  held: boolean;
}

export interface FailurePolicy {
  kind: FailureKind;
  /** For `outage`: how long a text may keep failing before it is dead. */
  outageBudgetMs?: number;
  /** For `outage` and `config`: queue one holding text once a user text has waited this long; unset: never. */
  holdingAfterMs?: number;
}

/** The message-queue subject of holding texts: a newer one supersedes an older one still queued. */
export const HOLDING_SUBJECT = 'reply_delayed';

/** An honest text for a user whose reply is held up by a problem on our side; it promises only what happens. */
export const HOLDING_TEXT =
  "Sorry for the wait: we're having a technical problem on our side. Your message is safe and we'll reply as soon as it's fixed.";

/** The voice a user is written to in: their member agent once verified, else the Bouncer. */
const AGENT_OF_USER_SQL = `CASE WHEN u.verified AND u.poc_agent_type IN ('concierge', 'innovator') THEN u.poc_agent_type ELSE 'bouncer' END`;

/** A short, honest text for a user whose message could not be answered after every attempt. */
export const FALLBACK_REPLY =
  "Sorry, I couldn't process your last message because of a problem on our side. Please try again in a little while.";

/** The claim key of a user's turns; rows without a user are processed one by one. */
export function turnKey(userId: string | null, messageId: string): string {
  return userId ? `user:${userId}` : `message:${messageId}`;
}

/**
 * Why an inbound row `m` is bad input (see inbound-validation.ts), NULL when it is fine; with
 * BAD_INPUT_JOINS as its FROM; `maxChars` is the parameter holding MAX_INBOUND_CONTENT_CHARS. Both the rejection and the claim
 * use it: a row committed between the two statements must not slip into a turn unchecked.
 */
const badInputReasonSql = (maxChars: string) => `CASE
    WHEN m.user_id IS NULL THEN 'no_user'
    WHEN u.id IS NULL THEN 'unknown_user'
    WHEN m.conversation_id IS NULL THEN 'no_conversation'
    WHEN c.id IS NULL THEN 'unknown_conversation'
    WHEN c.user_id IS DISTINCT FROM m.user_id THEN 'foreign_conversation'
    WHEN m.role NOT IN ('user', 'system') THEN 'unknown_role'
    WHEN m.content IS NULL THEN 'no_content'
    WHEN char_length(m.content) > ${maxChars} THEN 'oversized_content'
    WHEN m.content ~ '${CONTROL_CHARACTERS_PATTERN}' THEN 'control_characters'
    WHEN m.content ~ '${LOST_ENCODING_PATTERN}' THEN 'invalid_encoding'
  END`;
const BAD_INPUT_JOINS = `FROM messages m
  LEFT JOIN users u ON u.id = m.user_id
  LEFT JOIN conversations c ON c.id = m.conversation_id`;

/**
 * Whether a failed text or event dies, by whose fault the failure is (see failure-kind.ts), from
 * its own row: `$6` the kind, `$3` MAX_ATTEMPTS (charged failures only), `$7` the outage budget in
 * ms counted from `first_failed_at`. Shared by TurnRepository.fail and EventRepository.fail.
 */
export const DIES_SQL = `CASE
    WHEN $6 = 'own' THEN charged_failures + 1 >= $3
    WHEN $6 = 'outage' THEN COALESCE(first_failed_at, now()) <= now() - $7 * interval '1 millisecond'
    ELSE false
  END`;

/** Rolls back a commit whose done-marker did not find every claimed row under the claim. */
class StaleCommit extends Error {}

/** SQL of one agent turn: claim the user's unfinished messages, then commit, fail or release them. */
@Injectable()
export class TurnRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly claims: ClaimRepository,
    private readonly outcomes: OutcomeWriter,
    private readonly scrubber: StoredTextScrubber,
  ) {}

  /**
   * Claims every unfinished inbound message of the user (or the one message without a user),
   * oldest first, unless one of them is waiting out a retry delay: then the whole user waits,
   * so replies stay in order and an outage does not burn attempts. Bad input among them (see
   * inbound-validation.ts) is made dead first, before anything of a conversation is read.
   */
  claim(
    userId: string | null,
    messageId: string,
    owner: string,
    leaseMs: number,
    limit: number,
    retryHorizonMs = DEFAULT_RETRY_HORIZON_MS,
  ): Promise<ClaimOutcome> {
    const key = turnKey(userId, messageId);
    return this.database.transaction(
      async (client) => {
        const token = await this.claims.take(client, key, owner, leaseMs);
        if (token === null) return { kind: 'busy' };
        const scopeOf = (alias: string) =>
          userId ? `${alias}.user_id = $1` : `${alias}.id = $1 AND ${alias}.user_id IS NULL`;
        const scope = scopeOf('m');
        const rejected = await client.query<RejectedMessage>(
          `WITH checked AS (
           SELECT m.id, ${badInputReasonSql('$2')} AS reason
           ${BAD_INPUT_JOINS}
           WHERE ${scope} AND m.direction = 'inbound' AND m.processing_state IN ('pending', 'processing')
         )
         UPDATE messages m
           SET processing_state = 'dead', processed_at = now(), next_attempt_at = NULL, claim_token = NULL,
               outcome = 'dead', last_error = $3::jsonb ->> checked.reason
         FROM checked WHERE m.id = checked.id AND checked.reason IS NOT NULL
         RETURNING m.id, checked.reason`,
          [userId ?? messageId, MAX_INBOUND_CONTENT_CHARS, BAD_INPUT_TEXTS],
        );
        const bad = rejected.rows;
        // A message of the user waiting out a retry delay holds the whole user back. The check is part
        // of the claim statement (one round trip on the common path); only when nothing was claimed
        // is it asked again, to tell a deferred user from one with nothing to do.
        const waitingSql = (alias: string, horizon: string) => `SELECT 1 FROM messages ${alias}
        WHERE ${scopeOf(alias)} AND ${alias}.direction = 'inbound'
          AND ${alias}.processing_state = 'pending' AND ${alias}.next_attempt_at > now()
          AND ${alias}.next_attempt_at <= now() + ${horizon} * interval '1 millisecond'`;
        const claimed = await client.query<{
          id: string;
          conversation_id: string | null;
          attempts: number;
          role: string;
          created_at: Date;
          arrival_order: string;
        }>(
          `WITH due AS (
           SELECT m.id ${BAD_INPUT_JOINS}
           WHERE ${scope} AND m.direction = 'inbound' AND m.processing_state IN ('pending', 'processing')
             AND ${badInputReasonSql('$4')} IS NULL
             AND NOT EXISTS (${waitingSql('w', '$5')})
           ORDER BY m.created_at, m.arrival_order
           LIMIT $3
           FOR UPDATE OF m
         )
         UPDATE messages m
           SET processing_state = 'processing', claim_token = $2, attempts = m.attempts + 1, next_attempt_at = NULL
         FROM due WHERE m.id = due.id
         RETURNING m.id, m.conversation_id, m.attempts, m.role, m.created_at, m.arrival_order::text`,
          [userId ?? messageId, token, limit, MAX_INBOUND_CONTENT_CHARS, retryHorizonMs],
        );
        if (claimed.rowCount === 0) {
          const waiting = await client.query(`${waitingSql('m', '$2')} LIMIT 1`, [userId ?? messageId, retryHorizonMs]);
          await this.claims.release(client, key, token);
          return { kind: waiting.rowCount ? 'deferred' : 'nothing', rejected: bad };
        }
        const messages = [...claimed.rows]
          .sort(
            (a, b) =>
              a.created_at.getTime() - b.created_at.getTime() || Number(a.arrival_order) - Number(b.arrival_order),
          )
          .map((row) => ({
            id: row.id,
            conversationId: row.conversation_id,
            attempts: row.attempts,
            role: row.role,
            createdAt: row.created_at,
          }));
        return { kind: 'claimed', turn: { key, token, userId, messages }, rejected: bad };
        // Not flushed before returning: a claim lost in a database crash only lets the turn be claimed
        // again (its holder's commit then fails the fence), and the turn's durable commit flushes it.
      },
      { durable: false },
    );
  }

  /**
   * Writes the agent's replies, effects, events and logs and marks the turn done — or nothing if
   * the claim was lost. The done-marker must update exactly the claimed rows (a row released or
   * taken over since would otherwise be answered twice or not at all): else everything rolls back
   * as stale.
   */
  async commit(turn: ClaimedTurn, result: TurnResult): Promise<'committed' | 'stale'> {
    try {
      return await this.database.transaction(async (client) => {
        if (!(await this.claims.fence(client, turn.key, turn.token))) return 'stale';
        const last = turn.messages[turn.messages.length - 1];
        if (result.outcome.replies.length > 0) {
          // A text requeued from the dead letters already has its fallback at position 0: the real
          // reply follows it (a second commit of the same turn still collides on the unique key).
          await client.query(
            `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
             SELECT $1, $2, $3, reply.content, 'outbound', 'pending', $4, reply.position - 1 + CASE WHEN EXISTS (
               SELECT 1 FROM messages f WHERE f.reply_to_message_id = $4 AND f.sequence_index = 0 AND f.content = $6
             ) THEN 1 ELSE 0 END
             FROM unnest($5::text[]) WITH ORDINALITY AS reply(content, position)
             ORDER BY reply.position`,
            [last.conversationId, turn.userId, result.agent, last.id, result.outcome.replies, FALLBACK_REPLY],
          );
        }
        await this.outcomes.write(client, result.outcome);
        const outcome =
          result.outcome.replies.length > 0
            ? 'replied'
            : result.skipped
              ? this.scrubber.errorText(`skipped: ${result.skipped}`)
              : 'no_reply';
        // The done-marker and the claim's release in one statement (one round trip): a stale
        // done-marker throws, which rolls the release back with everything else.
        const done = await client.query<{ marked: number }>(
          `WITH done AS (
             UPDATE messages SET processing_state = 'done', processed_at = now(), claim_token = NULL, last_error = NULL,
               outcome = $3
             WHERE id = ANY($1::uuid[]) AND claim_token = $2 AND processing_state = 'processing'
             RETURNING 1
           ), released AS (
             DELETE FROM processing_claims WHERE claim_key = $4 AND token = $2
           )
           SELECT count(*)::int AS marked FROM done`,
          [turn.messages.map((message) => message.id), turn.token, outcome, turn.key],
        );
        if (!this.claims.markedAll(done.rows[0].marked, turn.messages.length)) throw new StaleCommit();
        return 'committed' as const;
      });
    } catch (error) {
      if (error instanceof StaleCommit) return 'stale';
      throw error;
    }
  }

  /**
   * Records a failed attempt, by whose fault it was (see failure-kind.ts):
   * - `own`: charged to the texts; those with MAX_ATTEMPTS charged failures become dead;
   * - `outage`: not charged; dead only once the texts have failed for longer than the outage budget
   *   (their `last_error` then begins `outage budget exhausted: `);
   * - `config`: not charged and never dead.
   * The others wait `retryDelayMs`. A user who texted gets one fallback reply when their text dies,
   * and, while an outage or a configuration error holds their texts longer than `holdingAfterMs`,
   * one honest holding text through the message queue (at most one per run of failures).
   */
  fail(
    turn: ClaimedTurn,
    rawError: string,
    maxAttempts: number,
    retryDelayMs: number,
    failure: FailurePolicy = { kind: 'own' },
  ): Promise<FailureResult | 'stale'> {
    const error = this.scrubber.errorText(rawError);
    return this.database.transaction(async (client) => {
      if (!(await this.claims.fence(client, turn.key, turn.token))) return 'stale';
      const updated = await client.query<{
        id: string;
        processing_state: string;
        next_attempt_at: Date | null;
        failing_for_ms: number;
      }>(
        `WITH judged AS (
           SELECT id, ${DIES_SQL} AS dies
           FROM messages WHERE id = ANY($1::uuid[]) AND claim_token = $2
         )
         UPDATE messages m SET
           processing_state = CASE WHEN judged.dies THEN 'dead' ELSE 'pending' END,
           processed_at = CASE WHEN judged.dies THEN now() END,
           outcome = CASE WHEN judged.dies THEN 'dead' END,
           next_attempt_at = CASE WHEN judged.dies THEN NULL ELSE now() + $4 * interval '1 millisecond' END,
           charged_failures = m.charged_failures + CASE WHEN $6 = 'own' THEN 1 ELSE 0 END,
           first_failed_at = COALESCE(m.first_failed_at, now()),
           last_error = CASE WHEN judged.dies AND $6 = 'outage' THEN $8 || $5 ELSE $5 END,
           claim_token = NULL
         FROM judged WHERE m.id = judged.id
         RETURNING m.id, m.processing_state, m.next_attempt_at,
           (extract(epoch FROM now() - m.first_failed_at) * 1000)::float8 AS failing_for_ms`,
        [
          turn.messages.map((message) => message.id),
          turn.token,
          maxAttempts,
          retryDelayMs,
          error,
          failure.kind,
          failure.outageBudgetMs ?? 0,
          OUTAGE_BUDGET_EXHAUSTED_PREFIX,
        ],
      );
      const deadIds = new Set(updated.rows.filter((row) => row.processing_state === 'dead').map((row) => row.id));
      // The audit trail the product reads (message_processing_error) gets every failed attempt.
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, input_data, error)
         VALUES ('realtime-processor', 'message_processing_error', $1, $2, $3)`,
        [
          turn.userId,
          { message_ids: turn.messages.map((message) => message.id), dead: [...deadIds], failure: failure.kind },
          error,
        ],
      );
      const lastDeadUserText = [...turn.messages]
        .reverse()
        .find((message) => deadIds.has(message.id) && message.role === 'user');
      // Never to a user who opted out (STOP): the fallback is an SMS like any other.
      if (lastDeadUserText && turn.userId) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, reply_to_message_id, sequence_index)
           SELECT $1, u.id, ${AGENT_OF_USER_SQL}, $3, 'outbound', 'pending', $4, 0
           FROM users u WHERE u.id = $2 AND u.opted_out_at IS NULL
           ON CONFLICT (reply_to_message_id, sequence_index) DO NOTHING`,
          [lastDeadUserText.conversationId, turn.userId, FALLBACK_REPLY, lastDeadUserText.id],
        );
      }
      const held = await this.queueHoldingText(client, turn, failure, updated.rows, deadIds);
      await this.claims.release(client, turn.key, turn.token);
      const retryAt = updated.rows.find((row) => row.next_attempt_at)?.next_attempt_at ?? null;
      return { dead: [...deadIds], retryAt, held };
    });
  }

  /**
   * The one holding text of a run of outage or configuration failures, once it has lasted
   * `holdingAfterMs`. A run is keyed by the text that has waited longest (`run_key` in the queued
   * row's message_data).
   */
  private async queueHoldingText(
    client: Queryable,
    turn: ClaimedTurn,
    failure: FailurePolicy,
    rows: readonly { id: string; failing_for_ms: number }[],
    deadIds: ReadonlySet<string>,
  ): Promise<boolean> {
    if (failure.kind === 'own' || failure.holdingAfterMs === undefined || !turn.userId) return false;
    const waitingUserTexts = new Set(
      turn.messages.filter((message) => message.role === 'user' && !deadIds.has(message.id)).map((m) => m.id),
    );
    const waiting = rows.filter((row) => waitingUserTexts.has(row.id));
    if (waiting.length === 0) return false;
    const longest = waiting.reduce((a, b) => (a.failing_for_ms >= b.failing_for_ms ? a : b));
    if (longest.failing_for_ms < failure.holdingAfterMs) return false;
    // The run's key is the text that has waited longest: its first_failed_at is kept until it is
    // answered or dead, so the key holds for the whole run and a later run has another text. No
    // clock comparison (a queue row's created_at against a failure time) decides it.
    const runKey = longest.id;
    const agent = await client.query<{ agent: string; already: boolean }>(
      `SELECT ${AGENT_OF_USER_SQL} AS agent,
              EXISTS (SELECT 1 FROM message_queue q
                      WHERE q.user_id = u.id AND q.subject = $2 AND q.message_data ->> 'run_key' = $3) AS already
       FROM users u WHERE u.id = $1`,
      [turn.userId, HOLDING_SUBJECT, runKey],
    );
    if (!agent.rows[0] || agent.rows[0].already) return false;
    await enqueueMessage(client, {
      userId: turn.userId,
      agentId: agent.rows[0].agent,
      texts: [HOLDING_TEXT],
      priority: 'high',
      subject: HOLDING_SUBJECT,
      data: { reason: failure.kind === 'config' ? 'service_misconfigured' : 'model_outage', run_key: runKey },
    });
    return true;
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
