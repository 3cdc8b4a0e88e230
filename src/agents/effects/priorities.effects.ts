import type { Queryable } from '../../database/database.service';
import type { EffectWriter } from './effect-writer';

/** Source tables that track presentations per member (community requests are shared rows: counted only). */
const PER_MEMBER_SOURCES: Record<string, string> = {
  intro_opportunity: 'intro_opportunities',
  connection_request: 'connection_requests',
};

export type PriorityEffect =
  /** The member answered an item (actioned, responded...): it leaves their priorities. */
  | { type: 'set_priority_status'; userId: string; itemType: string; itemId: string; status: string }
  /**
   * An item was presented to the member (presentation tracking): the count goes up; the
   * second presentation of an item still unanswered makes it dormant and cancels the pending
   * re-engagement checks linked to it.
   */
  | { type: 'present_priority'; userId: string; priorityId: string; itemType: string; itemId: string };

/** The priorities family: `user_priorities` rows and the presentation counters of their items. */
export const PRIORITIES_WRITER: EffectWriter<PriorityEffect> = {
  types: ['set_priority_status', 'present_priority'],
  async apply(client: Queryable, effect: PriorityEffect): Promise<void> {
    if (effect.type === 'set_priority_status') {
      await client.query(
        `UPDATE user_priorities SET status = $4, updated_at = now()
          WHERE user_id = $1 AND item_type = $2 AND item_id = $3 AND status IN ('active', 'presented', 'clarifying')`,
        [effect.userId, effect.itemType, effect.itemId, effect.status],
      );
      return;
    }
    const { rows } = await client.query<{ status: string }>(
      `UPDATE user_priorities
          SET presentation_count = presentation_count + 1,
              presented_at = now(),
              status = CASE WHEN status = 'presented' THEN 'dormant' ELSE 'presented' END,
              updated_at = now()
        WHERE id = $1 AND user_id = $2 AND status IN ('active', 'presented', 'clarifying')
        RETURNING status`,
      [effect.priorityId, effect.userId],
    );
    const dormant = rows[0]?.status === 'dormant';
    const table = PER_MEMBER_SOURCES[effect.itemType];
    if (table) {
      // Table names come from the constant map above, never from input.
      await client.query(
        `UPDATE ${table}
            SET presentation_count = presentation_count + 1, last_presented_at = now(),
                status = CASE WHEN $2 THEN 'dormant' WHEN status = 'open' THEN 'presented' ELSE status END,
                dormant_at = CASE WHEN $2 THEN now() ELSE dormant_at END
          WHERE id = $1 AND status IN ('open', 'presented')`,
        [effect.itemId, dormant],
      );
    } else if (effect.itemType === 'community_request') {
      await client.query(
        `UPDATE community_requests SET presentation_count = presentation_count + 1, last_presented_at = now()
          WHERE id = $1`,
        [effect.itemId],
      );
    }
    if (dormant) {
      await client.query(
        `UPDATE agent_tasks SET status = 'cancelled'
          WHERE user_id = $1 AND task_type = 're_engagement_check' AND status = 'pending'
            AND context_id IN ($2::uuid, $3::uuid)`,
        [effect.userId, effect.priorityId, effect.itemId],
      );
    }
  },
};
