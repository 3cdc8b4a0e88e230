import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_HANDLERS, type EventHandler } from './event-handler';
import { ProcessingStats } from './processing-stats';

/**
 * Which event types are ours: those with a handler here. The engine claims and the catch-up sweep
 * reads only these; any other type is left untouched (`processed` stays false) for whatever else
 * reads the bus. Unhandled types that are noticed are counted by type (for /metrics) and logged
 * once per type, so no type is consumed, or ignored, silently.
 */
@Injectable()
export class EventOwnership {
  private readonly logger = new Logger(EventOwnership.name);
  readonly handledTypes: readonly string[];
  private readonly handled: ReadonlySet<string>;
  private readonly loggedTypes = new Set<string>();

  constructor(
    private readonly stats: ProcessingStats,
    @Inject(EVENT_HANDLERS) handlers: EventHandler[],
  ) {
    this.handledTypes = [...new Set(handlers.map((handler) => handler.eventType))].sort();
    this.handled = new Set(this.handledTypes);
  }

  handles(eventType: string): boolean {
    return this.handled.has(eventType);
  }

  /**
   * A wake-up for an event of a type we do not handle: counted on /metrics
   * (`realtime_processor_events_unhandled_total{event_type}`), and logged the first time only.
   */
  noticeUnhandled(eventType: string): void {
    this.stats.unhandledEvent(eventType);
    if (this.loggedTypes.has(eventType)) return;
    this.loggedTypes.add(eventType);
    this.logger.warn(
      { event: 'event_type_unhandled', eventType },
      'no handler for this event type here; left unprocessed for other readers',
    );
  }
}
