import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { Clock } from './clock';
import { DispatchMetrics } from './dispatch-metrics';
import { MessageDispatchRepository } from './message-dispatch.repository';
import { MessagingSettings } from './messaging-settings';
import { bounded, QueueWakeUpListener } from './queue-wakeup.listener';
import { QueuedMessageSender, type UnitOutcome } from './queued-message.sender';

/** What one pass did, counted by queue row. */
export interface PassSummary {
  sent: number;
  held: number;
  cancelled: number;
  superseded: number;
  failed: number;
  errors: number;
}

/** Units one user may go through in one pass (a user with a huge backlog does not starve the others). */
const UNITS_PER_USER_PER_PASS = 20;
/** Shortest wait before looking again at texts that are due but were locked by another instance. */
const BUSY_RETRY_MS = 200;

/** Longest wait on shutdown for a pass in progress. */
const SHUTDOWN_WAIT_MS = 2000;

const emptySummary = (): PassSummary => ({ sent: 0, held: 0, cancelled: 0, superseded: 0, failed: 0, errors: 0 });

/**
 * Sends due `message_queue` rows. Woken by NOTIFY when a text is queued (trigger in
 * supabase/migrations), by a timer set for the next text to fall due, and by a backstop timer
 * (MESSAGE_DISPATCH_INTERVAL_MS). Passes never overlap within an instance; across instances the
 * user's row lock and `FOR UPDATE SKIP LOCKED` on queue rows keep every text to one sender.
 * Each unit is one transaction (QueuedMessageSender); a failing unit is recorded and skipped.
 */
@Injectable()
export class MessageDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageDispatcher.name);
  private listener?: QueueWakeUpListener;
  private timer?: NodeJS.Timeout;
  private running?: Promise<PassSummary>;
  private rerun = false;
  private stopped = false;
  /** Every pass's counts since start, for tests and the chaos run. */
  readonly totals: PassSummary = emptySummary();

  constructor(
    private readonly sender: QueuedMessageSender,
    private readonly repository: MessageDispatchRepository,
    private readonly settings: MessagingSettings,
    private readonly clock: Clock,
    private readonly database: DatabaseService,
    private readonly metrics: DispatchMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.listener = new QueueWakeUpListener({
      url: this.database.url,
      reconnectMinMs: this.settings.reconnectMinMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
      onWakeUp: (reason) => this.wake(reason),
    });
    this.listener.start();
    this.wake('startup');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Bounded: a pass stuck on an unreachable database must not hold the shutdown (its open
    // transaction rolls back when the pool closes, and the texts stay queued for another instance).
    await Promise.all([
      this.listener?.stop(),
      this.running &&
        bounded(
          this.running.catch(() => undefined),
          SHUTDOWN_WAIT_MS,
        ),
    ]);
  }

  /** Runs a pass now, or once more right after the one in progress. */
  wake(reason: string): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.pass(reason).finally(() => {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        this.wake('rerun');
      }
    });
  }

  /** Waits for any pass in progress, then runs one and returns what it did (tests, tools). */
  async dispatchDue(): Promise<PassSummary> {
    while (this.running) await this.running.catch(() => undefined);
    const pass = this.pass('requested');
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = undefined;
      if (this.rerun && this.listener && !this.stopped) {
        this.rerun = false;
        this.wake('rerun');
      }
    }
  }

  private async pass(reason: string): Promise<PassSummary> {
    const summary = emptySummary();
    let busy = false;
    let full = false;
    try {
      const now = this.clock.now();
      const userless = await this.repository.failUserless(now);
      for (const priority of userless) this.metrics.count(priority, 'failed');
      summary.failed += userless.length;
      const users = await this.repository.dueUsers(now, this.settings.usersPerPass);
      full = users.length === this.settings.usersPerPass;
      for (const userId of users) {
        if (this.stopped) break;
        for (let unit = 0; unit < UNITS_PER_USER_PER_PASS; unit += 1) {
          const outcome = await this.sender.dispatchNext(userId, now);
          this.record(outcome, userId, summary);
          if (outcome.kind === 'busy') busy = true;
          if (outcome.kind === 'none' || outcome.kind === 'busy') break;
          // A unit that failed is now scheduled later, so the user's next unit goes on; an error
          // before any unit was read (database gone) ends this user's turn in the pass.
          if (outcome.kind === 'error' && outcome.ids.length === 0) break;
          if (unit === UNITS_PER_USER_PER_PASS - 1) full = true;
        }
      }
    } catch (error) {
      summary.errors += 1;
      this.logger.warn(
        { event: 'message_dispatch_failed', reason, err: error },
        'message dispatch pass failed; the timer will try again',
      );
    }
    for (const key of Object.keys(summary) as (keyof PassSummary)[]) this.totals[key] += summary[key];
    if (summary.sent + summary.held + summary.cancelled + summary.superseded + summary.failed > 0) {
      this.logger.log({ event: 'message_dispatch_pass', reason, ...summary }, 'message queue dispatched');
    }
    if (full) this.rerun = true;
    await this.scheduleNext(busy);
    return summary;
  }

  /** Sleeps until the next text falls due, at most the backstop interval. */
  private async scheduleNext(busy: boolean): Promise<void> {
    // Only a started dispatcher runs on its own; before that, passes are run by dispatchDue().
    if (this.stopped || !this.listener) return;
    let delay = this.settings.intervalMs;
    try {
      const next = await this.repository.nextDueAt();
      if (next) delay = Math.min(delay, Math.max(next.getTime() - this.clock.now().getTime(), 0));
    } catch {
      // The backstop interval stands.
    }
    if (busy || delay === 0) delay = Math.min(Math.max(delay, BUSY_RETRY_MS), this.settings.intervalMs);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake('timer'), delay);
    this.timer.unref();
  }

  private record(outcome: UnitOutcome, userId: string, summary: PassSummary): void {
    if (outcome.kind === 'error') this.metrics.count(outcome.priority, 'failed', outcome.failed);
    else if (outcome.kind !== 'none' && outcome.kind !== 'busy') {
      this.metrics.count(outcome.priority, outcome.kind, outcome.ids.length);
    }
    switch (outcome.kind) {
      case 'none':
      case 'busy':
        return;
      case 'sent':
        summary.sent += outcome.ids.length;
        this.logger.log(
          { event: 'queued_message_sent', userId, queueMessageIds: outcome.ids, messageIds: outcome.messageIds },
          'queued text sent',
        );
        return;
      case 'held':
        summary.held += outcome.ids.length;
        this.logger.debug(
          {
            event: 'queued_message_held',
            userId,
            queueMessageIds: outcome.ids,
            until: outcome.until,
            reason: outcome.reason,
          },
          'queued text held',
        );
        return;
      case 'error':
        summary.errors += 1;
        this.logger.warn(
          { event: 'queued_message_error', userId, queueMessageIds: outcome.ids, error: outcome.error },
          'dispatching a queued text failed; it is retried later and failed after repeated errors',
        );
        return;
      default:
        summary[outcome.kind] += outcome.ids.length;
        this.logger.log(
          { event: `queued_message_${outcome.kind}`, userId, queueMessageIds: outcome.ids, reason: outcome.reason },
          `queued text ${outcome.kind}`,
        );
    }
  }
}
