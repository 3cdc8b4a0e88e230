import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppEventBus } from '../events/app-event-bus';
import { ClaimRepository } from './claim.repository';
import { EngineSettings } from './engine-settings';
import { EVENT_HANDLERS, PermanentEventError, type EventHandler } from './event-handler';
import { EventOwnership } from './event-ownership';
import { EventRepository, type ClaimedEvent } from './event.repository';
import { errorText } from './error-text';
import { deadReasonOf, failureKind } from './failure-kind';
import { ProcessingStats } from './processing-stats';
import { retryDelayMs } from './retry-policy';
import { WorkAttempt } from './work-attempt';

/** Runs one event through its handler; events of other types are never claimed (see EventOwnership). */
@Injectable()
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);
  private readonly handlers: Map<string, EventHandler>;
  private readonly orderedTypes: string[];

  constructor(
    private readonly events: EventRepository,
    private readonly claims: ClaimRepository,
    private readonly settings: EngineSettings,
    private readonly stats: ProcessingStats,
    private readonly ownership: EventOwnership,
    private readonly bus: AppEventBus,
    @Inject(EVENT_HANDLERS) handlers: EventHandler[],
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.eventType, handler]));
    this.orderedTypes = handlers.filter((handler) => handler.orderedByAggregate).map((handler) => handler.eventType);
  }

  async run(eventId: string, shutdown: AbortSignal): Promise<void> {
    // An ordered event hands over to the next one of its aggregate, so a chain never waits for a sweep.
    for (let next: string | null = eventId; next !== null && !shutdown.aborted;) {
      const claim = await this.events.claim(
        next,
        this.settings.owner,
        this.settings.leaseMs,
        this.orderedTypes,
        this.ownership.handledTypes,
      );
      if (claim.kind !== 'claimed') return;
      await this.process(claim.claimed, shutdown);
      const { event } = claim.claimed;
      next =
        event?.aggregateId && this.orderedTypes.includes(event.eventType)
          ? await this.events.nextInAggregate(event.aggregateId, this.orderedTypes)
          : null;
    }
  }

  private async process(claimed: ClaimedEvent, shutdown: AbortSignal): Promise<void> {
    const ids = { eventId: claimed.eventId, eventType: claimed.event?.eventType };
    const attempt = new WorkAttempt(this.claims, claimed, this.settings, shutdown, this.logger);
    this.stats.started();
    try {
      if (!claimed.event) {
        // Malformed rows cannot improve by retrying: straight to the dead letters with the reason.
        await this.events.fail(claimed, `malformed event: ${claimed.invalidReason}`, 0, 0);
        this.stats.finished('event', 'dead', attempt.elapsedMs);
        this.stats.dead('event', 'malformed');
        this.bus.emit('work.dead', {
          kind: 'event',
          id: claimed.eventId,
          reason: 'malformed',
          attempts: claimed.attempts,
        });
        this.logger.error(
          { event: 'event_dead', ...ids, reason: claimed.invalidReason },
          'malformed event dead-lettered',
        );
        return;
      }
      const handler = this.handlers.get(claimed.event.eventType);
      if (!handler) {
        // Only handled types are claimed; a handler list changed under a running claim gives it back.
        await this.events.release(claimed);
        this.stats.finished('event', 'released', attempt.elapsedMs);
        return;
      }
      const outcome = await handler.handle(claimed.event, { signal: attempt.signal });
      const committed = await this.events.complete(claimed, outcome, 'handled');
      this.stats.finished('event', committed === 'stale' ? 'stale' : 'done', attempt.elapsedMs);
      this.logger.log(
        { event: 'event_processed', ...ids, duration: attempt.elapsedMs, outcome: committed },
        'event handled',
      );
    } catch (error) {
      await this.onFailure(claimed, error, attempt, ids);
    } finally {
      attempt.stop();
    }
  }

  private async onFailure(
    claimed: ClaimedEvent,
    error: unknown,
    attempt: WorkAttempt,
    ids: Record<string, unknown>,
  ): Promise<void> {
    const duration = attempt.elapsedMs;
    const interruption = attempt.interruption();
    try {
      if (interruption === 'shutdown') {
        await this.events.release(claimed);
        this.stats.finished('event', 'released', duration);
        return;
      }
      if (interruption === 'lease-lost') {
        this.stats.finished('event', 'stale', duration);
        return;
      }
      // A payload that can never succeed is dead at once. Otherwise the failure is sorted like a
      // turn's (failure-kind.ts): an outage waits out its budget by time, a configuration error
      // never kills the event, and only a failure of the event itself is charged to MAX_ATTEMPTS.
      const permanent = error instanceof PermanentEventError;
      const kind = permanent ? 'own' : failureKind(error);
      const delay = permanent ? 0 : retryDelayMs(this.settings.retry, claimed.attempts);
      const maxAttempts = permanent ? 0 : this.settings.retry.maxAttempts;
      const text = errorText(error);
      const result = await this.events.fail(claimed, text, maxAttempts, delay, {
        kind,
        outageBudgetMs: this.settings.outageBudgetMs,
      });
      this.stats.finished('event', result === 'dead' ? 'dead' : result === 'stale' ? 'stale' : 'retry', duration);
      if (result === 'dead') {
        const reason = permanent ? 'bad_input' : deadReasonOf(kind);
        this.stats.dead('event', reason);
        this.bus.emit('work.dead', {
          kind: 'event',
          id: claimed.eventId,
          reason,
          eventType: claimed.event?.eventType,
          attempts: claimed.attempts,
        });
        this.logger.error(
          { event: 'event_dead', ...ids, attempts: claimed.attempts, permanent, failure: kind, err: error },
          permanent
            ? 'event can never succeed; dead-lettered'
            : kind === 'outage'
              ? 'event waited out the whole outage budget; dead-lettered'
              : 'event failed on every attempt; dead-lettered',
        );
      } else if (result === 'retry') {
        this.logger.warn(
          { event: 'event_retry', ...ids, attempts: claimed.attempts, failure: kind, delayMs: delay, err: error },
          'event handler failed; will retry',
        );
      }
    } catch (bookkeepingError) {
      this.stats.finished('event', 'retry', duration);
      this.logger.error(
        { event: 'event_bookkeeping_failed', ...ids, err: bookkeepingError },
        'could not record a failed event',
      );
    }
  }
}
