import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { EventOwnership } from '../routing/event-ownership';
import { retryHorizonMs } from '../routing/retry-policy';

/**
 * Where a page ended: the last row's `created_at` as PostgreSQL's own text (a JS Date would drop
 * the microseconds and skip or repeat rows) and its id, for keyset paging.
 */
export interface PageCursor {
  createdAt: string;
  id: string;
}

export interface DueMessage {
  id: string;
  user_id: string | null;
  created_at: string;
  /** How long the row has been due: since it was written, or since its retry delay ran out. */
  due_for_ms: number;
}
export interface DueEvent {
  id: string;
  event_type: string;
  created_at: string;
}

/**
 * Unfinished rows that nobody is working on: pending and due, or processing under a claim that
 * is gone or expired (a crashed or stalled worker). Oldest first, in bounded keyset pages; for
 * messages one row per user (a turn takes all of a user's pending texts), so one user's burst
 * cannot fill the pages and starve the others. Events only of the types handled here: the others
 * are not ours and stay untouched, so they never fill the pages either.
 */
@Injectable()
export class CatchUpRepository {
  /** A message's `next_attempt_at` beyond this is read as due: the engine never schedules one that far. */
  private readonly horizonMs: number;

  constructor(
    private readonly database: DatabaseService,
    config: ConfigService<Environment, true>,
    private readonly ownership: EventOwnership,
  ) {
    this.horizonMs = retryHorizonMs(config.get('RETRY_MAX_DELAY_MS', { infer: true }));
  }

  dueMessages(limit: number, after?: PageCursor): Promise<DueMessage[]> {
    return this.database.background(async (client) => {
      const result = await client.query<DueMessage>(
        `SELECT id, user_id, created_at::text AS created_at, due_for_ms FROM (
         SELECT DISTINCT ON (COALESCE(m.user_id, m.id)) m.id, m.user_id, m.created_at,
           (extract(epoch FROM now() - CASE WHEN m.processing_state = 'pending' AND m.next_attempt_at <= now()
              THEN GREATEST(m.created_at, m.next_attempt_at) ELSE m.created_at END) * 1000)::float8 AS due_for_ms
         FROM messages m
         WHERE m.direction = 'inbound'
           AND m.processing_state IN ('pending', 'processing')
           AND ((m.processing_state = 'pending' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now()
                   OR m.next_attempt_at > now() + $4 * interval '1 millisecond'))
             OR (m.processing_state = 'processing' AND NOT EXISTS (
                   SELECT 1 FROM processing_claims c WHERE c.token = m.claim_token AND c.lease_expires_at > now())))
         ORDER BY COALESCE(m.user_id, m.id), m.created_at, m.id
       ) due
       WHERE $2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid)
       ORDER BY created_at, id
       LIMIT $1`,
        [limit, after?.createdAt ?? null, after?.id ?? null, this.horizonMs],
      );
      return result.rows;
    });
  }

  dueEvents(limit: number, after?: PageCursor): Promise<DueEvent[]> {
    return this.database.background(async (client) => {
      const result = await client.query<DueEvent>(
        `SELECT e.id, e.event_type, e.created_at::text AS created_at FROM events e
       WHERE e.processing_state IN ('pending', 'processing') AND e.event_type = ANY($4::text[])
         AND ((e.processing_state = 'pending' AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now()))
           OR (e.processing_state = 'processing' AND NOT EXISTS (
                 SELECT 1 FROM processing_claims c WHERE c.token = e.claim_token AND c.lease_expires_at > now())))
         AND ($2::timestamptz IS NULL OR (e.created_at, e.id) > ($2::timestamptz, $3::uuid))
       ORDER BY e.created_at, e.id
       LIMIT $1`,
        [limit, after?.createdAt ?? null, after?.id ?? null, this.ownership.handledTypes],
      );
      return result.rows;
    });
  }
}
