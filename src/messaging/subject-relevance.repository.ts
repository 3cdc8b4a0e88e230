import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/database.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Subjects naming a row, and the statuses in which that row is settled (a text about it is stale). */
const ROW_SUBJECTS: Readonly<Record<string, { table: string; settled: readonly string[]; label: string }>> = {
  intro_opportunity: {
    table: 'intro_opportunities',
    settled: ['accepted', 'rejected', 'declined', 'completed', 'removed', 'cancelled', 'expired'],
    label: 'intro opportunity',
  },
  connection_request: {
    table: 'connection_requests',
    settled: ['accepted', 'declined', 'completed', 'cancelled', 'expired'],
    label: 'connection request',
  },
  intro_offer: {
    table: 'intro_offers',
    settled: ['completed', 'declined', 'cancelled', 'expired'],
    label: 'intro offer',
  },
  community_request: {
    table: 'community_requests',
    settled: ['closed', 'cancelled', 'expired'],
    label: 'community request',
  },
};

export interface SubjectContext {
  userId: string;
  subject: string;
  /** When the text was queued: a re-engagement text is stale once the user texted after it. */
  queuedAt: Date;
  now: Date;
}

/**
 * The relevance check of `requires_fresh_context` texts: is the subject still open? Returns why
 * the text is stale, or null when it still holds. Subjects are `<kind>:<id>` (e.g.
 * `intro_opportunity:<uuid>`) or `re_engagement[:<agent>]`; other subjects have no rule and hold.
 */
@Injectable()
export class SubjectRelevanceRepository {
  async staleReason(client: Queryable, context: SubjectContext): Promise<string | null> {
    const [kind, id] = context.subject.split(':', 2);
    if (kind === 're_engagement') {
      const texted = await client.query(
        `SELECT 1 FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user' AND created_at > $2 LIMIT 1`,
        [context.userId, context.queuedAt],
      );
      return texted.rowCount ? 'the user texted after the re-engagement text was queued' : null;
    }
    const rule = Object.hasOwn(ROW_SUBJECTS, kind) ? ROW_SUBJECTS[kind] : undefined;
    if (!rule) return null;
    if (!id || !UUID.test(id)) return `the subject names no ${rule.label} (${JSON.stringify(context.subject)})`;
    // The table name comes from the constant above, never from the row.
    const found = await client.query<{ status: string; expired: boolean }>(
      `SELECT status, ${rule.table === 'community_requests' ? 'COALESCE(expires_at <= $2, false)' : 'false'} AS expired
         FROM ${rule.table} WHERE id = $1`,
      rule.table === 'community_requests' ? [id, context.now] : [id],
    );
    const row = found.rows[0];
    if (!row) return `the ${rule.label} no longer exists`;
    if (rule.settled.includes(row.status)) return `the ${rule.label} is already ${row.status}`;
    if (row.expired) return `the ${rule.label} has expired`;
    return null;
  }
}
