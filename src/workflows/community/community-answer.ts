import type { Queryable } from '../../database/database.service';
import { awardCredits } from '../credit.ledger';

/** Credits an expert earns for an answer (paid when the requester judges it, or when the request closes). */
export const RESPONSE_CREDITS = 10;
/** Extra credits for an answer the requester scored USEFUL_SCORE or higher (1-10). */
export const USEFUL_SCORE = 8;
export const USEFUL_ANSWER_BONUS = 15;

/** A `community_responses` row with what the workflows read from its request. */
export interface CommunityAnswer {
  responseId: string;
  requestId: string;
  expertId: string;
  requesterId: string | null;
  requestSummary: string | null;
  /** How texts name the question (3-5 words), with a neutral default. */
  topic: string;
  responseText: string | null;
  impactDescription: string | null;
}

/**
 * The answer `responseId` (to `requestId` when given), or null when there is none. `lock` takes the
 * answer's row lock for the caller's transaction.
 */
export async function findAnswer(
  client: Queryable,
  responseId: string,
  options: { requestId?: string; lock?: boolean } = {},
): Promise<CommunityAnswer | null> {
  const found = await client.query<{
    request_id: string;
    user_id: string;
    requesting_user_id: string | null;
    request_summary: string | null;
    response_text: string | null;
    impact_description: string | null;
  }>(
    `SELECT r.request_id, r.user_id, q.requesting_user_id, q.request_summary, r.response_text, r.impact_description
     FROM community_responses r JOIN community_requests q ON q.id = r.request_id
     WHERE r.id = $1 AND ($2::uuid IS NULL OR r.request_id = $2)
     ${options.lock ? 'FOR UPDATE OF r' : ''}`,
    [responseId, options.requestId ?? null],
  );
  const row = found.rows[0];
  if (!row) return null;
  return {
    responseId,
    requestId: row.request_id,
    expertId: row.user_id,
    requesterId: row.requesting_user_id,
    requestSummary: row.request_summary,
    topic: row.request_summary ?? 'a member’s question',
    responseText: row.response_text,
    impactDescription: row.impact_description,
  };
}

/**
 * Credits the expert for an answer, once per kind by idempotency key: `answer` (RESPONSE_CREDITS,
 * `community.response:<response id>:<user id>`, whoever pays first: the judgement or the closing
 * timer) or `useful` (USEFUL_ANSWER_BONUS, `community.useful:<response id>:<user id>`).
 */
export function creditAnswer(
  client: Queryable,
  answer: { responseId: string; expertId: string; topic: string },
  kind: 'answer' | 'useful',
): Promise<boolean> {
  const useful = kind === 'useful';
  return awardCredits(client, {
    userId: answer.expertId,
    amount: useful ? USEFUL_ANSWER_BONUS : RESPONSE_CREDITS,
    eventType: useful ? 'community_response_useful' : 'community_response',
    referenceType: 'community_response',
    referenceId: answer.responseId,
    idempotencyKey: `${useful ? 'community.useful' : 'community.response'}:${answer.responseId}:${answer.expertId}`,
    description: `${useful ? 'a very useful answer' : 'answer to a question'} about ${answer.topic}`,
  });
}
