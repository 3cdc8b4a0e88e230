import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { MESSAGE_PRIORITIES } from './queued-message.types';

/** What became of a dispatched unit of queued texts. */
export type DispatchOutcome = 'sent' | 'held' | 'cancelled' | 'failed' | 'superseded' | 'error';

/** The dispatcher's counts by lane and outcome; /metrics exports the registry. */
@Injectable()
export class QueueMetrics {
  readonly registry = new Registry();
  private readonly dispatchedTexts = new Counter({
    name: 'realtime_processor_queue_sent_total',
    help: 'Queued texts the dispatcher decided on, by priority lane and outcome (sent, held, cancelled, failed, superseded, error)',
    labelNames: ['priority', 'outcome'],
    registers: [this.registry],
  });

  /** One count per queue row of the unit; a lane outside the known four is counted as `unknown`. */
  dispatched(priorities: readonly string[], outcome: DispatchOutcome): void {
    for (const priority of priorities) {
      const lane = (MESSAGE_PRIORITIES as readonly string[]).includes(priority) ? priority : 'unknown';
      this.dispatchedTexts.inc({ priority: lane, outcome });
    }
  }
}
