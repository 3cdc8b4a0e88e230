import type { AgentOutcome } from '../agents/agent.types';
import type { Queryable } from '../database/database.service';

/** An `events` row as handlers see it, validated at the boundary. */
export interface StoredEvent {
  id: string;
  eventType: string;
  aggregateId: string | null;
  aggregateType: string | null;
  payload: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

/**
 * What a handler wants committed with the event's done-marker. `write` runs the handler's own
 * row changes inside the same fenced transaction, before the outcome's events and queued texts.
 */
export type EventOutcome = Pick<AgentOutcome, 'actions' | 'events' | 'logs' | 'queued'> & {
  write?: (client: Queryable) => Promise<void>;
};

/**
 * An event that can never succeed (a missing or ill-typed field, an id that points nowhere, an
 * impossible transition): dead-lettered at once with this message, never retried.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/**
 * A background workflow triggered by one event type. Handlers read what they need and return
 * their writes as data; the engine commits them with the done-marker, fenced by its claim.
 */
export interface EventHandler {
  readonly eventType: string;
  /**
   * Events of ordered types that share an aggregate are handled one at a time, oldest first,
   * across all instances (e.g. accept-then-complete of one intro). Others run in parallel.
   */
  readonly orderedByAggregate?: boolean;
  handle(event: StoredEvent, options: { signal: AbortSignal }): Promise<EventOutcome>;
}

/** Injection token for the list of event handlers (one typed token, as for agent providers). */
export const EVENT_HANDLERS = Symbol('EVENT_HANDLERS');
