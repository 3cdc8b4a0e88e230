import {
  createClient,
  type RealtimeChannel,
  type RealtimeClientOptions,
  type SupabaseClient,
  type WebSocketLikeConstructor,
} from '@supabase/supabase-js';
import WebSocket from 'ws';
import { reconnectDelayMs, type ReconnectBounds } from './reconnect-backoff';
import { decodeRealtimeFrame } from './realtime-frame.decoder';

export interface SupabaseRealtimeOptions {
  url: string;
  serviceRoleKey: string;
  heartbeatIntervalMs: number;
  joinTimeoutMs: number;
  reconnect: ReconnectBounds;
}

/** What the connection reports; hooks are called from inside realtime-js and must not throw. */
export interface SupabaseRealtimeHooks {
  heartbeat(status: string, latencyMs: number | undefined): void;
  frameRejected(reason: string): void;
}

type Decode = NonNullable<RealtimeClientOptions['decode']>;

/**
 * The one Supabase Realtime socket of this instance: a thin adapter over supabase-js that fixes
 * the options our reliability depends on.
 * - `ws` as the transport: Node 22's built-in WebSocket fires `error` but never `close` after a
 *   refused connection, and realtime-js only reconnects on `close`.
 * - The socket's reconnect delay is our capped, jittered backoff instead of 1 s, 2 s, 5 s, 10 s.
 * - Every frame is validated before realtime-js decodes it (see decodeRealtimeFrame), and a throw
 *   while realtime-js dispatches a frame is caught, so no frame can crash the process.
 * - The heartbeat period is ours: realtime-js closes and reconnects a socket that leaves a
 *   heartbeat unanswered for one period.
 */
export class SupabaseRealtimeConnection {
  private constructor(private readonly client: SupabaseClient) {}

  static open(options: SupabaseRealtimeOptions, hooks: SupabaseRealtimeHooks): SupabaseRealtimeConnection {
    const decode: Decode = (raw, deliver) => {
      const frame = decodeRealtimeFrame(raw);
      if (!frame.ok) return hooks.frameRejected(frame.reason);
      try {
        deliver(frame.value);
      } catch (error) {
        hooks.frameRejected(`realtime-js failed on a ${frame.value.event} frame: ${String(error)}`);
      }
    };
    const client = createClient(options.url, options.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: {
        transport: WebSocket as unknown as WebSocketLikeConstructor,
        vsn: '2.0.0',
        decode,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        heartbeatCallback: (status, latencyMs) => hooks.heartbeat(status, latencyMs),
        timeout: options.joinTimeoutMs,
        reconnectAfterMs: (tries: number) => reconnectDelayMs(tries, options.reconnect),
        // Channels are replaced on our own schedule; the socket must not close in the gap.
        disconnectOnEmptyChannelsAfterMs: 2 * (options.reconnect.maxMs + options.joinTimeoutMs),
      },
    });
    return new SupabaseRealtimeConnection(client);
  }

  /** A new channel object (realtime-js returns the existing one while a channel of that name is registered). */
  channel(name: string): RealtimeChannel {
    return this.client.channel(name);
  }

  /** The channel of that name still registered with the client, if any. */
  registered(name: string): RealtimeChannel | undefined {
    return this.client.getChannels().find((channel) => channel.topic === `realtime:${name}`);
  }

  async removeChannel(channel: RealtimeChannel): Promise<void> {
    await this.client.removeChannel(channel);
  }

  /**
   * Closes the socket. realtime-js's disconnect() arms a 10 s timer that it never clears or
   * unrefs (SocketAdapter.disconnect), which would keep a drained process or a test worker alive
   * for 10 s. The timer is created synchronously inside the call, so setTimeout is wrapped for the
   * duration of that one synchronous call to create it unref'd; nothing else can run meanwhile.
   */
  async close(waitMs: number): Promise<void> {
    const original = globalThis.setTimeout;
    const unrefTimeout = (...args: Parameters<typeof setTimeout>) => original(...args).unref();
    let closing: Promise<unknown>;
    globalThis.setTimeout = unrefTimeout as unknown as typeof setTimeout;
    try {
      closing = this.client.realtime.disconnect();
    } finally {
      globalThis.setTimeout = original;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      closing.catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs).unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
