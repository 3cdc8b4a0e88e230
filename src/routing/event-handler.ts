import type { AgentOutcome } from '../agents/agent.types';

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

/** What a handler wants committed with the event's done-marker. */
export type EventOutcome = Pick<AgentOutcome, 'actions' | 'events' | 'logs' | 'queued'>;

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
