import { Injectable } from '@nestjs/common';
import { CHANNELS, type ChannelName, type ChannelStatus, type SubscriptionState } from './subscription.types';

/**
 * The one place that knows the state of each subscription. Feeds write it; /health and the
 * catch-up sweep read it. Holds no connections itself.
 */
@Injectable()
export class SubscriptionRegistry {
  private readonly channels = new Map<ChannelName, ChannelStatus>(
    CHANNELS.map((name) => [name, { state: 'disconnected', since: new Date() }]),
  );
  private readonly reconnectCounts = new Map<ChannelName, number>(CHANNELS.map((name) => [name, 0]));

  set(channel: ChannelName, state: SubscriptionState, lastError?: string): void {
    const previous = this.get(channel);
    const now = new Date();
    // Connected again after having been connected: a reconnect (the first connect is not one).
    if (state === 'connected' && previous.state !== 'connected' && previous.lastConnectedAt !== undefined) {
      this.reconnectCounts.set(channel, this.reconnects(channel) + 1);
    }
    this.channels.set(channel, {
      state,
      since: previous.state === state ? previous.since : now,
      lastError: state === 'connected' ? undefined : (lastError ?? previous.lastError),
      lastConnectedAt: state === 'connected' ? now : previous.lastConnectedAt,
    });
  }

  get(channel: ChannelName): ChannelStatus {
    // Every channel is seeded in the constructor.
    return this.channels.get(channel)!;
  }

  snapshot(): Record<ChannelName, ChannelStatus> {
    return Object.fromEntries(CHANNELS.map((name) => [name, this.get(name)])) as Record<ChannelName, ChannelStatus>;
  }

  /** How often the channel came back after having been connected, since this instance started. */
  reconnects(channel: ChannelName): number {
    return this.reconnectCounts.get(channel) ?? 0;
  }

  /** Milliseconds the channel has been out of `connected`, 0 when connected. */
  downFor(channel: ChannelName, now = Date.now()): number {
    const status = this.get(channel);
    return status.state === 'connected' ? 0 : now - status.since.getTime();
  }
}
