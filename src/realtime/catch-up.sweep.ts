import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { AppEventBus } from '../events/app-event-bus';
import { CatchUpRepository } from './catch-up.repository';

const PAGE_SIZE = 200;

/**
 * Notifications are only wake-ups and can be lost (Realtime does not guarantee delivery, NOTIFY
 * is lost while disconnected), so this reads unfinished rows from the tables and emits wake-ups
 * for them: at startup, after every (re)subscribe, when the engine has room again, and on a timer.
 * With every feed down the service keeps working on the timer alone. Sweeps never overlap.
 */
@Injectable()
export class CatchUpSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CatchUpSweep.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private rerun = false;
  private stopped = false;

  constructor(
    private readonly repository: CatchUpRepository,
    private readonly bus: AppEventBus,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.request('timer'), this.config.get('SWEEP_INTERVAL_MS', { infer: true }));
    this.timer.unref();
    this.request('startup');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a sweep now, or once more right after the one in progress. */
  request(reason: string): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.sweep(reason).finally(() => {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        this.request('rerun');
      }
    });
  }

  private async sweep(reason: string): Promise<void> {
    try {
      const [messages, events] = await Promise.all([
        this.repository.dueMessages(PAGE_SIZE),
        this.repository.dueEvents(PAGE_SIZE),
      ]);
      for (const message of messages) {
        this.bus.emit('inbound-message.noticed', { messageId: message.id, userId: message.user_id, source: 'sweep' });
      }
      for (const event of events) {
        this.bus.emit('agent-event.noticed', { eventId: event.id, eventType: event.event_type, source: 'sweep' });
      }
      if (messages.length + events.length > 0) {
        this.logger.log(
          { event: 'catch_up_sweep', reason, messages: messages.length, events: events.length },
          'woke up unfinished work',
        );
      }
    } catch (error) {
      this.logger.warn(
        { event: 'catch_up_sweep_failed', reason, err: error },
        'catch-up sweep failed; the timer will try again',
      );
    }
  }
}
