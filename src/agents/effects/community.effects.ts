import type { Queryable } from '../../database/database.service';
import type { EffectWriter } from './effect-writer';

export type CommunityEffect = {
  /** A member's answer to a community request; stored once per (request, member). */
  type: 'record_community_response';
  responseId: string;
  requestId: string;
  userId: string;
  /** A one or two sentence summary for the requester. */
  responseText: string;
  /** The member's own words. */
  verbatimAnswer: string;
};

/** The community family: responses to community requests. */
export const COMMUNITY_WRITER: EffectWriter<CommunityEffect> = {
  types: ['record_community_response'],
  async apply(client: Queryable, effect: CommunityEffect): Promise<void> {
    const inserted = await client.query(
      `INSERT INTO community_responses (id, request_id, user_id, response_text, verbatim_answer, status)
       VALUES ($1, $2, $3, $4, $5, 'provided')
       ON CONFLICT (request_id, user_id) DO NOTHING`,
      [effect.responseId, effect.requestId, effect.userId, effect.responseText, effect.verbatimAnswer],
    );
    if ((inserted.rowCount ?? 0) === 0) return;
    await client.query(`UPDATE community_requests SET responses_count = responses_count + 1 WHERE id = $1`, [
      effect.requestId,
    ]);
  },
};
