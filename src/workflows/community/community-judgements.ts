import type { Queryable } from '../../database/database.service';
import { InvalidTaskError } from '../tasks/agent-task';
import type { CommunityAnswer } from './community-answer';
import { attachedTopic } from './community-attachments';

/**
 * Refuses a judge of `answer` other than its requester unless they attached a question to its
 * request, the answer is not their own, and they were told of it (the `community_response`
 * priority its notice wrote). The judge is the task's user, never anything a text says.
 */
export async function assertAttachedJudge(client: Queryable, answer: CommunityAnswer, userId: string): Promise<void> {
  if ((await attachedTopic(client, answer.requestId, userId)) === undefined) {
    throw new InvalidTaskError(
      `only the requester or a member who attached a question judges community response ${answer.responseId}`,
    );
  }
  if (answer.expertId === userId) {
    throw new InvalidTaskError(`community response ${answer.responseId} is their own answer`);
  }
  const told = await client.query(
    `SELECT 1 FROM user_priorities WHERE user_id = $1 AND item_type = 'community_response' AND item_id = $2`,
    [userId, answer.responseId],
  );
  if (!told.rowCount) throw new InvalidTaskError(`${userId} was not told of community response ${answer.responseId}`);
}

/** An attached member's judgement of an answer: one row per answer and member, the latest wins. */
export async function recordJudgement(
  client: Queryable,
  judgement: { responseId: string; userId: string; usefulnessScore: number; impactDescription: string | null },
): Promise<void> {
  await client.query(
    `INSERT INTO community_response_judgements (response_id, user_id, usefulness_score, impact_description)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (response_id, user_id) DO UPDATE
       SET usefulness_score = EXCLUDED.usefulness_score,
           impact_description = COALESCE(EXCLUDED.impact_description, community_response_judgements.impact_description),
           updated_at = now()`,
    [judgement.responseId, judgement.userId, judgement.usefulnessScore, judgement.impactDescription],
  );
}

/** The impact an attached member described for an answer, or null. */
export async function judgementImpact(client: Queryable, responseId: string, userId: string): Promise<string | null> {
  const rows = await client.query<{ impact_description: string | null }>(
    `SELECT impact_description FROM community_response_judgements WHERE response_id = $1 AND user_id = $2`,
    [responseId, userId],
  );
  return rows.rows[0]?.impact_description ?? null;
}
