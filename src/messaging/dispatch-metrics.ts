import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { MESSAGE_PRIORITIES } from './queued-message.types';

/** What the dispatcher decided for a queued row. */
export type DispatchOutcome = 'sent' | 'cancelled' | 'superseded' | 'failed' | 'held';

/**
 * This instance's dispatcher metrics: every queue row decided, by lane and outcome. /metrics
 * exports the registry. A priority outside the four lanes (a writer's bug) is labelled `unknown`,
 * so a bad row never adds a label value.
 */
@Injectable()
export class DispatchMetrics {
  readonly registry = new Registry();
  private readonly decided = new Counter({
    name: 'realtime_processor_queue_sent_total',
    help: 'Queued texts decided by the dispatcher, by priority lane and outcome (sent, cancelled, superseded, failed, held)',
    labelNames: ['priority', 'outcome'],
    registers: [this.registry],
  });

  /** `rows` rows of lane `priority` were decided `outcome` (a held row counts at every hold). */
  count(priority: string, outcome: DispatchOutcome, rows = 1): void {
    if (rows <= 0) return;
    const lane = (MESSAGE_PRIORITIES as readonly string[]).includes(priority) ? priority : 'unknown';
    this.decided.inc({ priority: lane, outcome }, rows);
  }
}
