import { Injectable, Optional } from '@nestjs/common';
import type { Queryable } from '../database/database.service';
import { EventOwnership } from '../routing/event-ownership';

export const BACKLOG_KINDS = ['message', 'event', 'queue'] as const;
export type BacklogKind = (typeof BACKLOG_KINDS)[number];
export const DEAD_KINDS = ['message', 'event'] as const;
export type DeadKind = (typeof DEAD_KINDS)[number];
/** The message queue's lanes, most urgent first. */
export const QUEUE_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;

export interface BacklogSnapshot {
  /** When the database was read. */
  readAt: Date;
  /** Unfinished inbound messages and events, and queued texts that are due. */
  pending: Record<BacklogKind, number>;
  /** Age of the oldest of them, 0 when there is none. */
  oldestSeconds: Record<BacklogKind, number>;
  dead: Record<DeadKind, number>;
  /** Queued texts (due or not) by lane; a lane outside the four known ones is reported as itself. */
  queueDepth: Record<string, number>;
}

interface KindRow {
  kind: string;
  pending: number;
  oldest: number | null;
}

/**
 * The backlog in a few indexed reads (partial indexes on unfinished, dead and queued rows), for
 * the metrics, refreshed by the catch-up sweep, and for the operator CLI's status.
 */
@Injectable()
export class BacklogRepository {
  /** Without EventOwnership (the operator CLI, outside Nest) events of every type count. */
  constructor(@Optional() private readonly ownership?: EventOwnership) {}

  /** Events count only of the types handled here: the others are not our backlog. */
  async read(db: Queryable): Promise<BacklogSnapshot> {
    const kinds = await db.query<KindRow>(
      `SELECT 'message' AS kind, count(*)::int AS pending,
              EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
       FROM messages WHERE direction = 'inbound' AND processing_state IN ('pending', 'processing')
       UNION ALL
       SELECT 'event', count(*)::int, EXTRACT(EPOCH FROM now() - min(created_at))::float8
       FROM events WHERE processing_state IN ('pending', 'processing') AND ($1::text[] IS NULL OR event_type = ANY($1::text[]))
       UNION ALL
       SELECT 'queue', count(*)::int, EXTRACT(EPOCH FROM now() - min(scheduled_for))::float8
       FROM message_queue WHERE status = 'queued' AND scheduled_for <= now()
       UNION ALL
       SELECT 'dead_message', count(*)::int, NULL FROM messages WHERE processing_state = 'dead'
       UNION ALL
       SELECT 'dead_event', count(*)::int, NULL FROM events WHERE processing_state = 'dead'`,
      [this.ownership?.handledTypes ?? null],
    );
    const lanes = await db.query<{ priority: string; depth: number }>(
      `SELECT priority, count(*)::int AS depth FROM message_queue WHERE status = 'queued' GROUP BY priority`,
    );
    const row = (kind: string): KindRow => kinds.rows.find((candidate) => candidate.kind === kind)!;
    const queueDepth: Record<string, number> = Object.fromEntries(QUEUE_PRIORITIES.map((lane) => [lane, 0]));
    for (const lane of lanes.rows) queueDepth[lane.priority] = lane.depth;
    return {
      readAt: new Date(),
      pending: { message: row('message').pending, event: row('event').pending, queue: row('queue').pending },
      oldestSeconds: {
        message: Math.max(0, row('message').oldest ?? 0),
        event: Math.max(0, row('event').oldest ?? 0),
        queue: Math.max(0, row('queue').oldest ?? 0),
      },
      dead: { message: row('dead_message').pending, event: row('dead_event').pending },
      queueDepth,
    };
  }
}
