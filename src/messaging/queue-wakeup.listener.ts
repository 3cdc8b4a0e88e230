import { Logger } from '@nestjs/common';
import { Client } from 'pg';

export interface QueueWakeUpOptions {
  url: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Called on every notification, and after every (re)connect (texts queued meanwhile were not announced). */
  onWakeUp: (reason: 'notify' | 'listening') => void;
}

/** How long a closing connection gets to say goodbye. */
const END_WAIT_MS = 1000;

/** Resolves when `work` does or after `ms`, whichever comes first. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms).unref();
    }),
  ]);
  clearTimeout(timer);
}

/** The channel fed by the message_queue triggers (supabase/migrations). */
export const QUEUE_CHANNEL = 'message_queue';

/**
 * LISTEN on one dedicated connection outside the pool. A lost connection is re-established with
 * a doubling delay; the dispatcher's timer keeps sending in the meantime, so a lost LISTEN only
 * costs latency, never a text.
 */
export class QueueWakeUpListener {
  private readonly logger = new Logger(QueueWakeUpListener.name);
  private client?: Client;
  private retryTimer?: NodeJS.Timeout;
  private delayMs: number;
  private stopped = false;

  constructor(private readonly options: QueueWakeUpOptions) {
    this.delayMs = options.reconnectMinMs;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      // A stalled connection never answers the goodbye: do not let it hold the shutdown.
      await bounded(
        client.end().catch(() => undefined),
        END_WAIT_MS,
      );
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'realtime-processor-message-queue',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', () => this.options.onWakeUp('notify'));
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.retry(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delayMs = this.options.reconnectMinMs;
    this.options.onWakeUp('listening');
  }

  private lost(client: Client, error: Error): void {
    if (this.stopped || (this.client !== undefined && client !== this.client)) return;
    if (this.client === client) {
      this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
    }
    this.retry(error);
  }

  private retry(error: Error): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.reconnectMaxMs);
    this.logger.warn(
      { event: 'message_queue_listen_lost', err: error, retryInMs: delay },
      'message queue LISTEN connection lost; the timer keeps dispatching until it is back',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
