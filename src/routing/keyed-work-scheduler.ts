/**
 * Bounded concurrency keyed by unit of work (a user's turn, an event). Hand-written rather than
 * p-limit because the engine needs what a plain limiter lacks: a wake-up for a key already in hand
 * is coalesced (the key re-runs once when it finishes, picking up what arrived meanwhile), and
 * the wait queue is bounded — when full, wake-ups are turned away and the catch-up sweep finds
 * the rows later. Memory therefore stays flat under any backlog.
 */
export type ScheduleResult = 'started' | 'queued' | 'coalesced' | 'rejected' | 'closed';

interface Entry {
  run: () => Promise<void>;
  again: boolean;
}

export class KeyedWorkScheduler {
  private readonly inHand = new Map<string, Entry>();
  private readonly waiting: string[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private rejectedSinceIdle = false;

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    /** Called when wake-ups were turned away and there is room again. */
    private readonly onRoomAfterRejection: () => void = () => undefined,
  ) {}

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  has(key: string): boolean {
    return this.inHand.has(key);
  }

  schedule(key: string, run: () => Promise<void>): ScheduleResult {
    if (this.closed) return 'closed';
    const entry = this.inHand.get(key);
    if (entry) {
      entry.again = true;
      return 'coalesced';
    }
    if (this.running < this.concurrency) {
      this.inHand.set(key, { run, again: false });
      this.start(key);
      return 'started';
    }
    if (this.waiting.length >= this.maxWaiting) {
      this.rejectedSinceIdle = true;
      return 'rejected';
    }
    this.inHand.set(key, { run, again: false });
    this.waiting.push(key);
    return 'queued';
  }

  /** Stops taking new work; queued keys are dropped (their rows stay pending for others). */
  close(): void {
    this.closed = true;
    for (const key of this.waiting.splice(0)) this.inHand.delete(key);
    this.notifyIfIdle();
  }

  /** Resolves when nothing is running. */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(key: string): void {
    this.running += 1;
    void this.execute(key);
  }

  private async execute(key: string): Promise<void> {
    for (;;) {
      const entry = this.inHand.get(key);
      if (!entry) break;
      entry.again = false;
      try {
        await entry.run();
      } catch {
        // Runs handle and log their own errors; the scheduler only keeps going.
      }
      if (!entry.again || this.closed) break;
    }
    this.inHand.delete(key);
    this.running -= 1;
    const next = this.closed ? undefined : this.waiting.shift();
    if (next !== undefined) this.start(next);
    if (this.rejectedSinceIdle && this.waiting.length < this.maxWaiting / 2) {
      this.rejectedSinceIdle = false;
      this.onRoomAfterRejection();
    }
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.running !== 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
