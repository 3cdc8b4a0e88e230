import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EventOwnership } from '../routing/event-ownership';
import { ProcessingStats } from '../routing/processing-stats';

/**
 * `realtime_processor_events_unhandled_total{event_type}`: events of types with no handler here
 * that this instance noticed (and left untouched for other readers), read from EventOwnership.
 */
@Injectable()
export class UnhandledEventsMetric {
  constructor(stats: ProcessingStats, ownership: EventOwnership) {
    new Counter({
      name: 'realtime_processor_events_unhandled_total',
      help: 'Events noticed whose type has no handler here; left unprocessed, by type',
      labelNames: ['event_type'],
      registers: [stats.registry],
      collect(this: Counter<'event_type'>) {
        this.reset();
        for (const [eventType, count] of ownership.unhandledCounts()) this.inc({ event_type: eventType }, count);
      },
    });
  }
}
