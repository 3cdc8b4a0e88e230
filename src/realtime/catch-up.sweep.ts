import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { AppEventBus } from '../events/app-event-bus';
import { BacklogMonitor } from './backlog.monitor';
import { CatchUpRepository, type DueEvent, type DueMessage, type PageCursor } from './catch-up.repository';

/**
 * Pages one sweep reads at most, per table. Enough that a backlog several pages deep is woken up
 * in one sweep (an engine with room takes it all without waiting for the timer); bounded, so a
 * huge backlog costs a few queries, not a table scan per page. An engine that cannot hold a sweep
 * turns the rest away and emits 'catch-up.requested' as soon as it has room, which starts the
 * next sweep; the timer is only the backstop.
 */
export const PAGES_PER_SWEEP = 10;

const cursorOf = (rows: { id: string; created_at: string }[]): PageCursor | undefined => {
  const last = rows.at(-1);
  return last && { createdAt: last.created_at, id: last.id };
};

/**
 * Notifications are only wake-ups and can be lost (Realtime does not guarantee delivery, NOTIFY
 * is lost while disconnected), so this reads unfinished rows from the tables and emits wake-ups
 * for them: at startup, after every (re)subscribe, when the engine has room again, and on a timer.
 * With every feed down the service keeps working on the timer alone. Sweeps never overlap.
 */
@Injectable()
export class CatchUpSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CatchUpSweep.name);
  private readonly pageSize: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private rerun = false;
  private stopped = false;

  constructor(
    private readonly repository: CatchUpRepository,
    private readonly bus: AppEventBus,
    private readonly config: ConfigService<Environment, true>,
    private readonly backlog: BacklogMonitor,
  ) {
    this.pageSize = config.get('SWEEP_PAGE_SIZE', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.request('timer'), this.config.get('SWEEP_INTERVAL_MS', { infer: true }));
    this.timer.unref();
    this.request('startup');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves once no sweep is running or due to rerun. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
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

  /** Oldest first, page after page while pages come back full, up to PAGES_PER_SWEEP. */
  private async sweep(reason: string): Promise<void> {
    let messageCursor: PageCursor | undefined;
    let eventCursor: PageCursor | undefined;
    let moreMessages = true;
    let moreEvents = true;
    let messages = 0;
    let events = 0;
    let pages = 0;
    try {
      while ((moreMessages || moreEvents) && pages < PAGES_PER_SWEEP && !this.stopped) {
        pages += 1;
        const [messageRows, eventRows]: [DueMessage[], DueEvent[]] = await Promise.all([
          moreMessages ? this.repository.dueMessages(this.pageSize, messageCursor) : [],
          moreEvents ? this.repository.dueEvents(this.pageSize, eventCursor) : [],
        ]);
        if (this.stopped) break;
        for (const row of messageRows) {
          this.bus.emit('inbound-message.noticed', {
            messageId: row.id,
            userId: row.user_id,
            source: 'sweep',
            dueForMs: row.due_for_ms,
          });
        }
        for (const row of eventRows) {
          this.bus.emit('agent-event.noticed', { eventId: row.id, eventType: row.event_type, source: 'sweep' });
        }
        messages += messageRows.length;
        events += eventRows.length;
        moreMessages = moreMessages && messageRows.length === this.pageSize;
        moreEvents = moreEvents && eventRows.length === this.pageSize;
        messageCursor = cursorOf(messageRows) ?? messageCursor;
        eventCursor = cursorOf(eventRows) ?? eventCursor;
      }
      if (messages + events > 0) {
        this.logger.log(
          { event: 'catch_up_sweep', reason, messages, events, pages, more: moreMessages || moreEvents },
          'woke up unfinished work',
        );
      }
    } catch (error) {
      this.logger.warn(
        { event: 'catch_up_sweep_failed', reason, err: error },
        'catch-up sweep failed; the timer will try again',
      );
    }
    // The backlog metrics ride on the sweep: one more indexed read, at most twice per timer period.
    if (!this.stopped) await this.backlog.refresh(this.config.get('SWEEP_INTERVAL_MS', { infer: true }) / 2);
  }
}
