import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeadReason } from '../events/app-events';

export type WorkKind = 'message' | 'event';
export const WORK_OUTCOMES = ['done', 'skipped', 'retry', 'dead', 'stale', 'released'] as const;
export type WorkOutcome = (typeof WORK_OUTCOMES)[number];

/** Distinct unhandled event types counted by name; the rest share one label, so a hostile writer cannot explode the series. */
export const MAX_UNHANDLED_TYPE_LABELS = 50;
export const OTHER_EVENT_TYPE = '(other)';

export interface ProcessingSnapshot {
  lastProcessedAt: string | null;
  counters: Record<string, number>;
}

/**
 * This instance's processing counters: shown on /health, exported as Prometheus metrics.
 * The engine writes them; health and metrics only read.
 */
@Injectable()
export class ProcessingStats {
  readonly registry = new Registry();
  private lastProcessedAt: Date | null = null;
  private inFlight = 0;
  private readonly counts = new Map<string, number>();
  private readonly outcomes = new Counter({
    name: 'realtime_processor_work_total',
    help: 'Turns and events finished, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: 'realtime_processor_work_duration_seconds',
    help: 'Time from claim to commit of a turn or event',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly replyLatency = new Histogram({
    name: 'realtime_processor_reply_latency_seconds',
    help: "Time from a user's inbound row (created_at) to the commit of the reply that answers it",
    buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly unhandled = new Counter({
    name: 'realtime_processor_events_unhandled_total',
    help: 'Events of a type no handler here takes, by event type',
    labelNames: ['event_type'],
    registers: [this.registry],
  });
  private readonly unhandledTypes = new Set<string>();

  private readonly badInput = new Counter({
    name: 'realtime_processor_bad_input_total',
    help: 'Inbound rows refused as bad input (dead with the reason in last_error), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  private readonly deadItems = new Counter({
    name: 'realtime_processor_dead_total',
    help: 'Messages and events that went dead on this instance, by kind and reason (failed_every_attempt, outage_budget_exhausted, bad_input, malformed)',
    labelNames: ['kind', 'reason'],
    registers: [this.registry],
  });

  constructor() {
    const inFlight = () => this.inFlight;
    new Gauge({
      name: 'realtime_processor_in_flight',
      help: 'Turns and events being processed now',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(inFlight());
      },
    });
  }

  started(): void {
    this.inFlight += 1;
  }

  finished(kind: WorkKind, outcome: WorkOutcome, durationMs: number): void {
    this.inFlight -= 1;
    const key = `${kind}s_${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.outcomes.inc({ kind, outcome });
    this.durations.observe({ kind }, durationMs / 1000);
    if (outcome === 'done' || outcome === 'skipped') this.lastProcessedAt = new Date();
  }

  /** A message or event went dead, and why. */
  dead(kind: WorkKind, reason: DeadReason): void {
    this.deadItems.inc({ kind, reason });
  }

  /** An inbound row refused as bad input. */
  rejected(reason: string): void {
    this.badInput.inc({ reason });
    this.counts.set('messages_bad_input', (this.counts.get('messages_bad_input') ?? 0) + 1);
  }

  /** A turn's reply committed: how long each of the user's texts it answers waited for it. */
  replied(waitedSeconds: readonly number[]): void {
    for (const seconds of waitedSeconds) this.replyLatency.observe(Math.max(0, seconds));
  }

  /** An event arrived that no handler here takes. */
  unhandledEvent(eventType: string): void {
    if (!this.unhandledTypes.has(eventType) && this.unhandledTypes.size < MAX_UNHANDLED_TYPE_LABELS) {
      this.unhandledTypes.add(eventType);
    }
    this.unhandled.inc({ event_type: this.unhandledTypes.has(eventType) ? eventType : OTHER_EVENT_TYPE });
  }

  snapshot(): ProcessingSnapshot {
    const counters: Record<string, number> = {
      inFlight: this.inFlight,
      messages_bad_input: this.counts.get('messages_bad_input') ?? 0,
    };
    for (const kind of ['message', 'event'] as const) {
      for (const outcome of WORK_OUTCOMES)
        counters[`${kind}s_${outcome}`] = this.counts.get(`${kind}s_${outcome}`) ?? 0;
    }
    return { lastProcessedAt: this.lastProcessedAt?.toISOString() ?? null, counters };
  }
}
