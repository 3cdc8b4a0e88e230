import type { Logger } from '@nestjs/common';
import { REALTIME_SUBSCRIBE_STATES, type RealtimeChannel } from '@supabase/supabase-js';
import type { AppEventBus } from '../events/app-event-bus';
import { reconnectDelayMs, type ReconnectBounds } from './reconnect-backoff';
import type { SubscriptionRegistry } from './subscription-registry';
import type { ChannelName } from './subscription.types';
import type { SupabaseRealtimeConnection } from './supabase-realtime.connection';

/** What one channel listens to: INSERTs on a table of the public schema, optionally filtered server-side. */
export interface ChannelBinding {
  table: string;
  filter?: string;
}

export interface ChannelKeeperContext {
  connection: SupabaseRealtimeConnection;
  registry: SubscriptionRegistry;
  bus: AppEventBus;
  reconnect: ReconnectBounds;
  joinTimeoutMs: number;
  logger: Logger;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Keeps one Realtime channel subscribed for as long as the service runs. A channel that reports
 * CHANNEL_ERROR, TIMED_OUT or CLOSED is removed at once (so realtime-js does not also rejoin it on
 * its fixed 1-2-5-10 s schedule, and a CLOSED channel, which realtime-js never rejoins, is not left
 * dead) and replaced by a new channel object after a capped, jittered backoff, without end. Every
 * SUBSCRIBED, and the server's later "Subscribed to PostgreSQL", emits 'feed.subscribed' so the
 * catch-up sweep finds what was committed while the channel was away. Callbacks of a replaced
 * channel are ignored, and no callback throws into realtime-js.
 */
export class RealtimeChannelKeeper {
  private channel?: RealtimeChannel;
  /** Incremented whenever the current channel is retired: stale callbacks compare against it. */
  private generation = 0;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The server's last system error (it precedes a phx_close), kept as the CLOSED reason. */
  private systemError?: string;

  constructor(
    readonly name: ChannelName,
    private readonly binding: ChannelBinding,
    private readonly onChange: (payload: unknown) => void,
    private readonly context: ChannelKeeperContext,
  ) {}

  start(): void {
    this.context.registry.set(this.name, 'connecting');
    void this.open();
  }

  /** Stops intake: no retries, the channel is torn down locally (the socket is closed by the feed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.generation += 1;
    const channel = this.channel;
    this.channel = undefined;
    try {
      // Cancels its join and rejoin timers; leaving is pointless when the socket closes next.
      channel?.teardown();
    } catch (error) {
      this.context.logger.debug({ event: 'feed_channel_teardown_failed', channel: this.name, err: error });
    }
    this.context.registry.set(this.name, 'disconnected', 'stopped');
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.generation += 1;
    const generation = this.generation;
    try {
      // realtime-js hands back a registered channel of the same name instead of a new one.
      const leftover = this.context.connection.registered(this.name);
      if (leftover) await this.context.connection.removeChannel(leftover);
      if (generation !== this.generation || this.stopped) return;
      const { table, filter } = this.binding;
      const channel = this.context.connection
        .channel(this.name)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table, filter }, (payload) =>
          this.guarded(generation, () => this.onChange(payload)),
        )
        .on('system', {}, (payload: unknown) => this.guarded(generation, () => this.onSystem(payload)));
      this.channel = channel;
      channel.subscribe((status, error) => this.guarded(generation, () => this.onStatus(generation, status, error)));
    } catch (error) {
      this.failed(generation, `could not subscribe: ${errorText(error)}`);
    }
  }

  private onStatus(generation: number, status: REALTIME_SUBSCRIBE_STATES, error?: Error): void {
    switch (status) {
      case REALTIME_SUBSCRIBE_STATES.SUBSCRIBED:
        this.failures = 0;
        this.systemError = undefined;
        this.context.registry.set(this.name, 'connected');
        this.context.logger.log(
          { event: 'feed_subscribed', feed: 'supabase', channel: this.name },
          'Realtime channel subscribed',
        );
        this.context.bus.emit('feed.subscribed', { channel: this.name });
        return;
      case REALTIME_SUBSCRIBE_STATES.CHANNEL_ERROR:
        return this.failed(generation, `CHANNEL_ERROR: ${error?.message ?? 'no reason given'}`);
      case REALTIME_SUBSCRIBE_STATES.TIMED_OUT:
        return this.failed(generation, `TIMED_OUT: no join reply within ${this.context.joinTimeoutMs} ms`);
      case REALTIME_SUBSCRIBE_STATES.CLOSED:
        return this.failed(generation, `CLOSED: ${this.systemError ?? 'closed by the server'}`);
    }
  }

  private onSystem(payload: unknown): void {
    if (!isRecord(payload)) return;
    const { extension, status, message } = payload;
    if (status === 'ok' && extension === 'postgres_changes') {
      // SUBSCRIBED only means joined; changes stream from here on. Sweep the gap in between.
      this.context.bus.emit('feed.subscribed', { channel: this.name });
    } else if (status === 'error') {
      this.systemError = typeof message === 'string' ? message : 'system error';
      this.context.logger.warn(
        { event: 'realtime_system_error', channel: this.name, extension, reason: this.systemError },
        'Realtime reported an error on a channel',
      );
    }
  }

  /** Retires the current channel and schedules its replacement; once per channel object. */
  private failed(generation: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.failures += 1;
    const delayMs = reconnectDelayMs(this.failures, this.context.reconnect);
    this.context.registry.set(this.name, 'reconnecting', reason);
    this.context.logger.warn(
      { event: 'feed_channel_lost', feed: 'supabase', channel: this.name, reason, attempt: this.failures, delayMs },
      'Realtime channel lost; replacing it',
    );
    this.generation += 1;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      this.context.connection
        .removeChannel(channel)
        .catch((error: unknown) =>
          this.context.logger.debug({ event: 'feed_channel_remove_failed', channel: this.name, err: error }),
        );
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), delayMs);
  }

  /** Runs a realtime-js callback for the current channel only, never letting it throw into the library. */
  private guarded(generation: number, work: () => void): void {
    if (generation !== this.generation || this.stopped) return;
    try {
      work();
    } catch (error) {
      this.context.logger.error(
        { event: 'feed_callback_failed', channel: this.name, err: error },
        'handling a Realtime callback failed',
      );
    }
  }
}
