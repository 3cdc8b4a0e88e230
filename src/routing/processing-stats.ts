import { Injectable } from '@nestjs/common';

export type WorkKind = 'message' | 'event';
export type WorkOutcome = 'done' | 'retry' | 'dead' | 'stale';

export interface ProcessingSnapshot {
  lastProcessedAt: string | null;
  counters: Record<`${WorkKind}s_${WorkOutcome}`, number> & { inFlight: number };
}

/** This instance's processing counters since start, shown on /health. */
@Injectable()
export class ProcessingStats {
  private lastProcessedAt: Date | null = null;
  private inFlight = 0;
  private readonly counts = new Map<string, number>();

  started(): void {
    this.inFlight += 1;
  }

  finished(kind: WorkKind, outcome: WorkOutcome): void {
    this.inFlight -= 1;
    const key = `${kind}s_${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (outcome === 'done') this.lastProcessedAt = new Date();
  }

  snapshot(): ProcessingSnapshot {
    const count = (kind: WorkKind, outcome: WorkOutcome) => this.counts.get(`${kind}s_${outcome}`) ?? 0;
    return {
      lastProcessedAt: this.lastProcessedAt?.toISOString() ?? null,
      counters: {
        inFlight: this.inFlight,
        messages_done: count('message', 'done'),
        messages_retry: count('message', 'retry'),
        messages_dead: count('message', 'dead'),
        messages_stale: count('message', 'stale'),
        events_done: count('event', 'done'),
        events_retry: count('event', 'retry'),
        events_dead: count('event', 'dead'),
        events_stale: count('event', 'stale'),
      },
    };
  }
}
