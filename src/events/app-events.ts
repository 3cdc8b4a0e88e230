/**
 * The one catalogue of in-process events: every name and its payload type. Emit through
 * AppEventBus and listen with @OnAppEvent, so a misspelt name or wrong payload does not compile.
 * Payloads carry ids only: the rows in PostgreSQL stay the truth.
 */
export type WakeUpSource = 'supabase' | 'postgres' | 'sweep';

export interface AppEvents {
  /** An inbound message row may be ready for a turn (feed notification or catch-up sweep). */
  'inbound-message.noticed': { messageId: string; userId: string | null; source: WakeUpSource };
  /** An `events` row may be ready for its handler. */
  'agent-event.noticed': { eventId: string; eventType: string | null; source: WakeUpSource };
  /** A change feed (re)subscribed: rows may have been missed, so a catch-up sweep should run. */
  'feed.subscribed': { channel: string };
  /** The engine turned wake-ups away (at capacity) and has room again: sweep for the missed work. */
  'catch-up.requested': { reason: string };
  /** A message or event is dead (failed on every attempt, or refused as bad input), for error reporting. */
  'work.dead': DeadWork;
}

/**
 * Why a message or event is dead: it failed on every attempt it was charged for
 * (`failed_every_attempt`), it kept failing on an outage for longer than MODEL_OUTAGE_BUDGET_MS
 * (`outage_budget_exhausted`: not its own fault, worth requeueing once the outage is over), or it
 * could never run (`bad_input`, `malformed`).
 */
export const DEAD_REASONS = ['failed_every_attempt', 'outage_budget_exhausted', 'bad_input', 'malformed'] as const;
export type DeadReason = (typeof DEAD_REASONS)[number];

/** Ids and short codes only: never a message's text or an error's. */
export interface DeadWork {
  kind: 'message' | 'event';
  id: string;
  reason: DeadReason;
  userId?: string | null;
  eventType?: string;
  attempts?: number;
}

export type AppEventName = keyof AppEvents;
