import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppEventBus } from '../events/app-event-bus';
import { ClaimAffinity, type WakeUpFacts } from './claim-affinity';
import { EngineSettings } from './engine-settings';
import { EventOwnership } from './event-ownership';
import { EventProcessor } from './event.processor';
import { KeyedWorkScheduler } from './keyed-work-scheduler';
import { ProcessingStats } from './processing-stats';
import { TurnProcessor } from './turn.processor';
import { turnKey, TurnRepository } from './turn.repository';

/**
 * Turns wake-ups (feed notifications, catch-up sweeps) into work under one bounded, keyed
 * scheduler: at most one turn per user in this instance, claims in PostgreSQL for the rest. User
 * turns and event handlers are separate lanes, turns first (TURN_PRIORITY).
 * Wake-ups are hints; the claim decides whether there is anything to do. With CLAIM_AFFINITY,
 * only a turn's owner acts on its fresh wake-ups (see ClaimAffinity).
 */
@Injectable()
export class RoutingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RoutingService.name);
  private readonly shutdown = new AbortController();
  private scheduler!: KeyedWorkScheduler;
  private accepting = false;

  constructor(
    private readonly settings: EngineSettings,
    private readonly turns: TurnProcessor,
    private readonly turnRepository: TurnRepository,
    private readonly events: EventProcessor,
    private readonly ownership: EventOwnership,
    private readonly bus: AppEventBus,
    private readonly affinity: ClaimAffinity,
    private readonly stats: ProcessingStats,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler = new KeyedWorkScheduler(
      this.settings.concurrency,
      this.settings.maxWaiting,
      () => this.bus.emit('catch-up.requested', { reason: 'engine has room after turning wake-ups away' }),
      { priority: this.settings.turnPriority },
    );
    this.accepting = true;
    // Wake-ups emitted before the engine accepted work (startup sweep, first subscribe) were dropped.
    this.bus.emit('catch-up.requested', { reason: 'engine started' });
  }

  /** `wakeUp`: where the wake-up came from, for claim affinity; without it the wake-up is always acted on. */
  async messageNoticed(
    messageId: string,
    knownUserId: string | null,
    wakeUp: WakeUpFacts = { source: 'sweep' },
  ): Promise<void> {
    if (!this.accepting) return;
    let userId = knownUserId;
    if (userId === null) {
      // Feeds that do not carry the user (or rows without one): one cheap lookup.
      const row = await this.turnRepository.userOf(messageId);
      if (!row) return;
      userId = row.userId;
    }
    const owner = userId;
    const key = turnKey(owner, messageId);
    if (!this.affinity.shouldTry(key, wakeUp)) {
      this.stats.wakeUpLeftToOwner();
      return;
    }
    this.scheduler.schedule(key, () =>
      this.turns
        .run(owner, messageId, this.shutdown.signal)
        .catch((error: unknown) => this.logUnexpected(error, { messageId })),
    );
  }

  /** `eventType` when the wake-up carries it: a type we do not handle is counted and never scheduled. */
  eventNoticed(eventId: string, eventType: string | null = null): void {
    if (!this.accepting) return;
    if (eventType !== null && !this.ownership.handles(eventType)) {
      this.ownership.noticeUnhandled(eventType);
      return;
    }
    this.scheduler.schedule(
      `event:${eventId}`,
      () =>
        this.events
          .run(eventId, this.shutdown.signal)
          .catch((error: unknown) => this.logUnexpected(error, { eventId })),
      'event',
    );
  }

  /** A claim that could not even be attempted (database down): the sweep brings the row back later. */
  private logUnexpected(error: unknown, ids: Record<string, string>): void {
    this.logger.error(
      { event: 'work_failed_to_start', ...ids, err: error },
      'could not claim work; the sweep will retry',
    );
  }

  /** Stops claiming, lets in-flight work finish within the drain budget, then aborts and releases the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.scheduler) return;
    this.accepting = false;
    this.scheduler.close();
    const { running } = this.scheduler.size;
    this.logger.log({ event: 'drain_started', running, budgetMs: this.settings.drainMs }, 'draining in-flight work');
    const drained = await Promise.race([
      this.scheduler.whenIdle().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), this.settings.drainMs).unref()),
    ]);
    if (!drained) {
      this.shutdown.abort(new Error('shutting down'));
      await this.scheduler.whenIdle();
    }
    this.logger.log(
      { event: 'drain_finished', released: !drained },
      drained ? 'all in-flight work finished' : 'unfinished work released',
    );
  }
}
