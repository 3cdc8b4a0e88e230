import type { RealtimeSource } from '../config/environment';

/**
 * Port for the two ways of hearing about new rows (Supabase Realtime, Postgres LISTEN/NOTIFY).
 * Implementations only wake the processor up: they emit typed Nest events carrying ids, keep
 * their channel state in the SubscriptionRegistry, reconnect by themselves, and never throw
 * into the client library. Lost notifications are caught by the catch-up sweep.
 */
export abstract class ChangeFeed {
  abstract readonly source: RealtimeSource;
  /** Starts connecting; returns without waiting for the subscriptions to be up. */
  abstract start(): Promise<void>;
  /** Stops intake and closes connections. */
  abstract stop(): Promise<void>;
}
