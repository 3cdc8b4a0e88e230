import type { NewEvent } from '../agents/agent.types';
import type { Queryable } from '../database/database.service';
import type { EventHandler, EventOutcome, StoredEvent } from '../routing/event-handler';

/**
 * Takes the once-key of a workflow effect inside the handler's fenced transaction (or the task's
 * transaction, with no event id): true the first time, false on a retry after commit, a replay by
 * id, or a duplicate event or task about the same thing.
 */
export async function once(client: Queryable, key: string, eventId: string | null): Promise<boolean> {
  const inserted = await client.query(
    `INSERT INTO workflow_once_keys (key, event_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [key, eventId],
  );
  return inserted.rowCount === 1;
}

/**
 * Inserts an event inside the caller's transaction (so it commits with the effect that caused it);
 * returns its id.
 */
export async function emitEvent(client: Queryable, event: NewEvent): Promise<string> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, metadata, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id`,
    [
      event.event_type,
      event.aggregate_id,
      event.aggregate_type,
      event.payload,
      event.metadata ?? null,
      event.created_by,
    ],
  );
  return inserted.rows[0].id;
}

/** A handler's outcome whose effects are all in `write`, run in the engine's fenced commit. */
export function written(write: (client: Queryable) => Promise<void>): EventOutcome {
  return { actions: [], events: [], logs: [], write };
}

/** Nothing to do (e.g. the subject is already in the state the event announces). */
export function nothing(): EventOutcome {
  return { actions: [], events: [], logs: [] };
}

/** One EventHandler per event type of a family, from a function. */
export function handlerFor(
  eventType: string,
  handle: (event: StoredEvent) => Promise<EventOutcome>,
  options: { orderedByAggregate?: boolean } = {},
): EventHandler {
  return { eventType, orderedByAggregate: options.orderedByAggregate ?? false, handle: (event) => handle(event) };
}

/** Who emitted what this service's workflows emit. */
export const WORKFLOWS = 'workflows';
