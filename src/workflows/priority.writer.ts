import type { Queryable } from '../database/database.service';

/** `user_priorities.item_type` values the workflows write. */
export type PriorityItemType =
  | 'intro_opportunity'
  | 'connection_request'
  | 'intro_offer'
  | 'intro_offer_confirmation'
  | 'community_request'
  | 'community_response'
  | 'solution_update'
  | 'expert_impact_notification';

export interface PriorityItem {
  userId: string;
  itemType: PriorityItemType;
  itemId: string;
  /** 0-100. */
  valueScore: number;
  summary: string;
  primaryName?: string | null;
  secondaryName?: string | null;
  context?: string | null;
  expiresAt?: Date | null;
}

/** States in which a priority still waits for the user. */
const OPEN_STATES = ['active', 'presented', 'clarifying'];

export const clampScore = (score: number): number => Math.max(0, Math.min(100, Math.round(score)));

/**
 * Inserts or refreshes the user's priority for an item (one per user, type and item), then
 * re-ranks the user's open priorities by score. A priority the user already actioned, or that
 * expired, keeps its state.
 */
export async function upsertPriority(client: Queryable, item: PriorityItem): Promise<void> {
  await client.query(
    `INSERT INTO user_priorities (user_id, item_type, item_id, value_score, status, expires_at, content,
       item_summary, item_primary_name, item_secondary_name, item_context)
     VALUES ($1, $2, $3, $4, 'active', $5, $6, $6, $7, $8, $9)
     ON CONFLICT (user_id, item_type, item_id) DO UPDATE
       SET value_score = EXCLUDED.value_score, expires_at = EXCLUDED.expires_at, content = EXCLUDED.content,
           item_summary = EXCLUDED.item_summary, item_primary_name = EXCLUDED.item_primary_name,
           item_secondary_name = EXCLUDED.item_secondary_name, item_context = EXCLUDED.item_context,
           updated_at = now()`,
    [
      item.userId,
      item.itemType,
      item.itemId,
      clampScore(item.valueScore),
      item.expiresAt ?? null,
      item.summary,
      item.primaryName ?? null,
      item.secondaryName ?? null,
      item.context ?? null,
    ],
  );
  await rerank(client, item.userId);
}

/** Marks the open priorities of an item (for every user, or one) actioned, expired or cancelled. */
export async function closePriorities(
  client: Queryable,
  item: { itemType: PriorityItemType; itemId: string; userId?: string },
  status: 'actioned' | 'expired' | 'cancelled',
): Promise<string[]> {
  const closed = await client.query<{ user_id: string }>(
    `UPDATE user_priorities SET status = $3, updated_at = now()
     WHERE item_type = $1 AND item_id = $2 AND ($4::uuid IS NULL OR user_id = $4) AND status = ANY($5::text[])
     RETURNING user_id`,
    [item.itemType, item.itemId, status, item.userId ?? null, OPEN_STATES],
  );
  const users = [...new Set(closed.rows.map((row) => row.user_id))];
  for (const userId of users) await rerank(client, userId);
  return users;
}

/** Rank 1 = the highest score among the user's open priorities; closed ones go to the back. */
async function rerank(client: Queryable, userId: string): Promise<void> {
  await client.query(
    `UPDATE user_priorities p SET priority_rank = ranked.rank
     FROM (SELECT id, CASE WHEN status = ANY($2::text[])
                   THEN row_number() OVER (PARTITION BY status = ANY($2::text[]) ORDER BY value_score DESC NULLS LAST, created_at, id)
                   ELSE 999 END AS rank
           FROM user_priorities WHERE user_id = $1) ranked
     WHERE p.id = ranked.id AND p.priority_rank IS DISTINCT FROM ranked.rank`,
    [userId, OPEN_STATES],
  );
}
