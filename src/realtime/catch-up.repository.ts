import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

export interface DueMessage {
  id: string;
  user_id: string | null;
}
export interface DueEvent {
  id: string;
  event_type: string;
}

/**
 * Unfinished rows that nobody is working on: pending and due, or processing under a claim that
 * is gone or expired (a crashed or stalled worker). Oldest first, one row per user, bounded pages.
 */
@Injectable()
export class CatchUpRepository {
  constructor(private readonly database: DatabaseService) {}

  dueMessages(limit: number): Promise<DueMessage[]> {
    return this.database.query<DueMessage>(
      `SELECT id, user_id FROM (
         SELECT DISTINCT ON (COALESCE(m.user_id, m.id)) m.id, m.user_id, m.created_at
         FROM messages m
         WHERE m.direction = 'inbound'
           AND m.processing_state IN ('pending', 'processing')
           AND ((m.processing_state = 'pending' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now()))
             OR (m.processing_state = 'processing' AND NOT EXISTS (
                   SELECT 1 FROM processing_claims c WHERE c.token = m.claim_token AND c.lease_expires_at > now())))
         ORDER BY COALESCE(m.user_id, m.id), m.created_at
       ) due
       ORDER BY created_at
       LIMIT $1`,
      [limit],
    );
  }

  dueEvents(limit: number): Promise<DueEvent[]> {
    return this.database.query<DueEvent>(
      `SELECT e.id, e.event_type FROM events e
       WHERE e.processing_state IN ('pending', 'processing')
         AND ((e.processing_state = 'pending' AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now()))
           OR (e.processing_state = 'processing' AND NOT EXISTS (
                 SELECT 1 FROM processing_claims c WHERE c.token = e.claim_token AND c.lease_expires_at > now())))
       ORDER BY e.created_at
       LIMIT $1`,
      [limit],
    );
  }
}
