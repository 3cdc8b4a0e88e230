import { Logger } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import pRetry, { AbortError } from 'p-retry';
import type { AppEventBus } from '../events/app-event-bus';
import { ChangeFeed } from './change-feed';
import type { ReconnectBounds } from './reconnect-backoff';
import type { SubscriptionRegistry } from './subscription-registry';
import type { ChannelName } from './subscription.types';
import { parseEventWakeUp, parseMessageWakeUp } from './wake-up.parser';

/** NOTIFY channels fed by the triggers of supabase/migrations (ids only). */
const NOTIFY_CHANNELS: Record<string, ChannelName> = {
  inbound_messages: 'user-messages',
  agent_events: 'agent-events',
};

export interface PostgresFeedOptions {
  url: string;
  /** How often the idle listener connection is probed; a probe or connect slower than this is a dead link. */
  probeIntervalMs: number;
  reconnect: ReconnectBounds;
}

/** How long a lost connection gets to say goodbye before it is abandoned (a stalled socket never does). */
const END_WAIT_MS = 1000;

/**
 * LISTEN on one dedicated connection outside the pool (a pooled connection would lose its LISTEN
 * when returned). Any loss — error, end (a database restart, pg_terminate_backend), failed probe
 * (a stalled network) — drops the client and reconnects at once, then with capped exponential
 * backoff and jitter, without end, re-issuing LISTEN. 'feed.subscribed' follows every LISTEN, so
 * the catch-up sweep finds what was committed while nobody listened.
 */
export class PostgresChangeFeed extends ChangeFeed {
  readonly source = 'postgres' as const;
  private readonly logger = new Logger(PostgresChangeFeed.name);
  private client?: Client;
  private probeTimer?: NodeJS.Timeout;
  private stopping = new AbortController();
  private connectLoop?: Promise<void>;

  constructor(
    private readonly options: PostgresFeedOptions,
    private readonly registry: SubscriptionRegistry,
    private readonly bus: AppEventBus,
  ) {
    super();
  }

  start(): Promise<void> {
    this.stopping = new AbortController();
    this.connectLoop = this.connectWithRetry('connecting');
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.probeTimer);
    await this.connectLoop?.catch(() => undefined);
    await this.dropClient();
    for (const channel of Object.values(NOTIFY_CHANNELS)) this.registry.set(channel, 'disconnected', 'stopped');
  }

  private async connectWithRetry(state: 'connecting' | 'reconnecting', reason?: string): Promise<void> {
    for (const channel of Object.values(NOTIFY_CHANNELS)) this.registry.set(channel, state, reason);
    try {
      await pRetry(() => this.connectOnce(), {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: this.options.reconnect.minMs,
        maxTimeout: this.options.reconnect.maxMs,
        randomize: true,
        signal: this.stopping.signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          for (const channel of Object.values(NOTIFY_CHANNELS))
            this.registry.set(channel, 'reconnecting', error.message);
          this.logger.warn(
            { event: 'feed_connect_failed', feed: 'postgres', attempt: attemptNumber, err: error },
            'LISTEN connection failed; retrying',
          );
        },
      });
    } catch (error) {
      if (!this.stopping.signal.aborted) this.logger.error({ err: error }, 'LISTEN loop ended unexpectedly');
    }
  }

  private async connectOnce(): Promise<void> {
    if (this.stopping.signal.aborted) throw new AbortError('stopping');
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'realtime-processor-listen',
      keepAlive: true,
      // Without it a connect to an unreachable host waits for the OS (minutes), holding up retries.
      connectionTimeoutMillis: this.options.probeIntervalMs,
    });
    client.on('error', (error) => this.onConnectionLost(client, error));
    client.on('end', () => this.onConnectionLost(client, new Error('connection ended')));
    client.on('notification', (notification) => this.onNotification(notification));
    try {
      await client.connect();
      for (const channel of Object.keys(NOTIFY_CHANNELS)) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopping.signal.aborted) {
      await client.end().catch(() => undefined);
      throw new AbortError('stopping');
    }
    this.client = client;
    this.startProbe(client);
    for (const channel of Object.values(NOTIFY_CHANNELS)) {
      this.registry.set(channel, 'connected');
      this.bus.emit('feed.subscribed', { channel });
    }
    this.logger.log({ event: 'feed_subscribed', feed: 'postgres' }, 'listening for inbound messages and events');
  }

  /** A connection that stops answering (network partition, stalled server) is treated as lost. */
  private startProbe(client: Client): void {
    clearInterval(this.probeTimer);
    this.probeTimer = setInterval(() => {
      const timeout = setTimeout(
        () => this.onConnectionLost(client, new Error('probe timed out')),
        this.options.probeIntervalMs,
      );
      client
        .query('SELECT 1')
        .then(() => clearTimeout(timeout))
        .catch((error: unknown) => {
          clearTimeout(timeout);
          this.onConnectionLost(client, error instanceof Error ? error : new Error(String(error)));
        });
    }, this.options.probeIntervalMs);
  }

  private onConnectionLost(client: Client, error: Error): void {
    if (client !== this.client || this.stopping.signal.aborted) return;
    this.logger.warn(
      { event: 'feed_disconnected', feed: 'postgres', err: error },
      'LISTEN connection lost; reconnecting',
    );
    void this.dropClient();
    this.connectLoop = this.connectWithRetry('reconnecting', error.message);
  }

  private async dropClient(): Promise<void> {
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.end().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, END_WAIT_MS).unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Called by pg's event emitter: nothing may throw back into it. */
  private onNotification({ channel, payload }: Notification): void {
    try {
      if (channel === 'inbound_messages') {
        const parsed = parseMessageWakeUp(payload);
        if (!parsed.ok) return this.rejected(channel, parsed.reason);
        this.logger.debug(
          { event: 'wake_up', source: 'postgres', messageId: parsed.value.messageId },
          'message noticed',
        );
        this.bus.emit('inbound-message.noticed', { ...parsed.value, source: 'postgres' });
      } else if (channel === 'agent_events') {
        const parsed = parseEventWakeUp(payload);
        if (!parsed.ok) return this.rejected(channel, parsed.reason);
        this.logger.debug({ event: 'wake_up', source: 'postgres', eventId: parsed.value.eventId }, 'event noticed');
        this.bus.emit('agent-event.noticed', { ...parsed.value, source: 'postgres' });
      }
    } catch (error) {
      this.logger.error(
        { event: 'feed_callback_failed', feed: 'postgres', channel, err: error },
        'handling a notification failed',
      );
    }
  }

  private rejected(channel: string, reason: string): void {
    this.logger.warn(
      { event: 'notification_rejected', feed: 'postgres', channel, reason },
      'malformed notification dropped',
    );
  }
}
