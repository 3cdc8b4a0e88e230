import { Logger } from '@nestjs/common';
import type { AppEventBus } from '../events/app-event-bus';
import { ChangeFeed } from './change-feed';
import { RealtimeChannelKeeper } from './realtime-channel.keeper';
import type { SubscriptionRegistry } from './subscription-registry';
import type { ChannelName } from './subscription.types';
import { SupabaseRealtimeConnection, type SupabaseRealtimeOptions } from './supabase-realtime.connection';
import { parseEventChange, parseMessageChange } from './wake-up.parser';

/** How long stop() waits for the socket to close before giving up on a polite close. */
const CLOSE_WAIT_MS = 2000;

/**
 * Supabase Realtime `postgres_changes` on the two channels of the product README, over one
 * socket: `user-messages` (INSERTs on messages, `direction=eq.inbound` filtered server-side and
 * checked again here) and `agent-events` (INSERTs on events). Each payload is validated and becomes
 * a wake-up carrying ids; malformed ones are logged with the reason and dropped (the sweep still
 * finds the row). Each channel is kept subscribed by a RealtimeChannelKeeper; a silent socket is
 * found by realtime-js's heartbeat (REALTIME_HEARTBEAT_INTERVAL_MS) and reconnected on our backoff.
 */
export class SupabaseChangeFeed extends ChangeFeed {
  readonly source = 'supabase' as const;
  private readonly logger = new Logger(SupabaseChangeFeed.name);
  private connection?: SupabaseRealtimeConnection;
  private keepers: RealtimeChannelKeeper[] = [];

  constructor(
    private readonly options: SupabaseRealtimeOptions,
    private readonly registry: SubscriptionRegistry,
    private readonly bus: AppEventBus,
  ) {
    super();
  }

  start(): Promise<void> {
    const connection = SupabaseRealtimeConnection.open(this.options, {
      heartbeat: (status, latencyMs) => this.onHeartbeat(status, latencyMs),
      frameRejected: (reason) =>
        this.logger.warn({ event: 'realtime_frame_rejected', reason }, 'malformed Realtime frame dropped'),
    });
    const context = {
      connection,
      registry: this.registry,
      bus: this.bus,
      reconnect: this.options.reconnect,
      joinTimeoutMs: this.options.joinTimeoutMs,
      logger: this.logger,
    };
    this.connection = connection;
    this.keepers = [
      new RealtimeChannelKeeper(
        'user-messages',
        { table: 'messages', filter: 'direction=eq.inbound' },
        (payload) => this.onMessage(payload),
        context,
      ),
      new RealtimeChannelKeeper('agent-events', { table: 'events' }, (payload) => this.onEvent(payload), context),
    ];
    for (const keeper of this.keepers) keeper.start();
    this.logger.log({ event: 'feed_starting', feed: 'supabase' }, 'subscribing to Supabase Realtime');
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    for (const keeper of this.keepers) keeper.stop();
    this.keepers = [];
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close(CLOSE_WAIT_MS);
  }

  private onMessage(payload: unknown): void {
    const parsed = parseMessageChange(payload);
    if (!parsed.ok) return this.rejected('user-messages', parsed.reason);
    this.logger.debug({ event: 'wake_up', source: 'supabase', messageId: parsed.value.messageId }, 'message noticed');
    this.bus.emit('inbound-message.noticed', { ...parsed.value, source: 'supabase' });
  }

  private onEvent(payload: unknown): void {
    const parsed = parseEventChange(payload);
    if (!parsed.ok) return this.rejected('agent-events', parsed.reason);
    this.logger.debug({ event: 'wake_up', source: 'supabase', eventId: parsed.value.eventId }, 'event noticed');
    this.bus.emit('agent-event.noticed', { ...parsed.value, source: 'supabase' });
  }

  private rejected(channel: ChannelName, reason: string): void {
    this.logger.warn({ event: 'notification_rejected', feed: 'supabase', channel, reason }, 'malformed change dropped');
  }

  private onHeartbeat(status: string, latencyMs: number | undefined): void {
    if (status === 'timeout') {
      this.logger.warn(
        { event: 'realtime_heartbeat_timeout', intervalMs: this.options.heartbeatIntervalMs },
        'Realtime socket went silent; reconnecting',
      );
    } else if (status === 'error') {
      this.logger.warn({ event: 'realtime_heartbeat_error', latencyMs }, 'Realtime heartbeat answered with an error');
    }
  }
}
