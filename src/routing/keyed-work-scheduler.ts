/**
 * Bounded concurrency keyed by unit of work (a user's turn, an event). Hand-written rather than
 * p-limit because the engine needs what a plain limiter lacks: a wake-up for a key already in hand
 * is coalesced (the key re-runs once when it finishes, picking up what arrived meanwhile), and
 * the wait queue is bounded — when full, wake-ups are turned away and the catch-up sweep finds
 * the rows later. Memory therefore stays flat under any backlog.
 *
 * Work comes in two lanes, user turns and event handlers. With priority on (the default), each
 * lane has its own bounded queue, so an event backlog never turns a text's wake-up away; events
 * hold at most `eventSlots` of the slots, so a text arriving during an event storm finds a slot
 * free; and when both lanes wait, a freed slot goes to a turn, except that every
 * `eventEvery`-th start while both wait goes to an event, so events are never starved. With
 * priority off, both lanes share one first-come queue and every slot (the reference the bench
 * compares against).
 */
export type ScheduleResult = 'started' | 'queued' | 'coalesced' | 'rejected' | 'closed';

export type Lane = 'turn' | 'event';

export interface LanePolicy {
  /** User turns before event handlers; false: one first-come lane for both. */
  priority: boolean;
  /** Slots event handlers may hold at once (priority on); defaults to concurrency minus a quarter. */
  eventSlots?: number;
  /** While both lanes wait, one start in this many goes to an event (priority on). */
  eventEvery?: number;
}

interface Entry {
  run: () => Promise<void>;
  again: boolean;
  lane: Lane;
}

/** Slots kept for turns: a quarter of them, at least one when there are two or more. */
export const defaultEventSlots = (concurrency: number) =>
  concurrency < 2 ? concurrency : concurrency - Math.max(1, Math.floor(concurrency / 4));

export const DEFAULT_EVENT_EVERY = 8;

export class KeyedWorkScheduler {
  private readonly inHand = new Map<string, Entry>();
  /** Priority on: one queue per lane. Priority off: everything in `turn`'s queue, first come first served. */
  private readonly waiting: Record<Lane, string[]> = { turn: [], event: [] };
  private readonly running: Record<Lane, number> = { turn: 0, event: 0 };
  private readonly rejectedSinceIdle: Record<Lane, boolean> = { turn: false, event: false };
  private readonly priority: boolean;
  private readonly eventSlots: number;
  private readonly eventEvery: number;
  /** Turns started in a row while an event waited (priority on). */
  private turnsAheadOfEvents = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    /** Called when wake-ups were turned away and there is room again. */
    private readonly onRoomAfterRejection: () => void = () => undefined,
    policy: LanePolicy = { priority: true },
  ) {
    this.priority = policy.priority;
    this.eventSlots = Math.min(concurrency, Math.max(1, policy.eventSlots ?? defaultEventSlots(concurrency)));
    this.eventEvery = Math.max(2, policy.eventEvery ?? DEFAULT_EVENT_EVERY);
  }

  get size(): { running: number; waiting: number } {
    return {
      running: this.running.turn + this.running.event,
      waiting: this.waiting.turn.length + this.waiting.event.length,
    };
  }

  /** Per lane: running and waiting. */
  get lanes(): Record<Lane, { running: number; waiting: number }> {
    const count = (lane: Lane) => this.queueOf(lane).filter((key) => this.inHand.get(key)?.lane === lane).length;
    return {
      turn: { running: this.running.turn, waiting: count('turn') },
      event: { running: this.running.event, waiting: count('event') },
    };
  }

  has(key: string): boolean {
    return this.inHand.has(key);
  }

  schedule(key: string, run: () => Promise<void>, lane: Lane = 'turn'): ScheduleResult {
    if (this.closed) return 'closed';
    const entry = this.inHand.get(key);
    if (entry) {
      entry.again = true;
      return 'coalesced';
    }
    if (this.canStartNow(lane)) {
      this.inHand.set(key, { run, again: false, lane });
      this.start(key, lane);
      return 'started';
    }
    const queue = this.queueOf(lane);
    if (queue.length >= this.maxWaiting) {
      this.rejectedSinceIdle[this.priority ? lane : 'turn'] = true;
      return 'rejected';
    }
    this.inHand.set(key, { run, again: false, lane });
    queue.push(key);
    return 'queued';
  }

  /** Stops taking new work; queued keys are dropped (their rows stay pending for others). */
  close(): void {
    this.closed = true;
    for (const queue of [this.waiting.turn, this.waiting.event]) {
      for (const key of queue.splice(0)) this.inHand.delete(key);
    }
    this.notifyIfIdle();
  }

  /** Resolves when nothing is running. */
  whenIdle(): Promise<void> {
    if (this.size.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private queueOf(lane: Lane): string[] {
    return this.priority ? this.waiting[lane] : this.waiting.turn;
  }

  private eventHasSlot(): boolean {
    return !this.priority || this.running.event < this.eventSlots;
  }

  /** A new wake-up starts at once only if nothing of its lane (or, without priority, nothing at all) waits. */
  private canStartNow(lane: Lane): boolean {
    if (this.size.running >= this.concurrency) return false;
    if (this.queueOf(lane).length > 0) return false;
    if (lane === 'turn') return true;
    // An event does not jump queued turns, nor take a slot kept for turns.
    return this.eventHasSlot() && (!this.priority || this.waiting.turn.length === 0);
  }

  /** The key a freed slot goes to, taken off its queue; undefined when nothing may start. */
  private nextKey(): string | undefined {
    if (!this.priority) return this.waiting.turn.shift();
    const turnWaits = this.waiting.turn.length > 0;
    const eventMayStart = this.waiting.event.length > 0 && this.eventHasSlot();
    if (turnWaits && eventMayStart) {
      if (this.turnsAheadOfEvents + 1 >= this.eventEvery) {
        this.turnsAheadOfEvents = 0;
        return this.waiting.event.shift();
      }
      this.turnsAheadOfEvents += 1;
      return this.waiting.turn.shift();
    }
    if (turnWaits) return this.waiting.turn.shift();
    if (eventMayStart) {
      this.turnsAheadOfEvents = 0;
      return this.waiting.event.shift();
    }
    return undefined;
  }

  private start(key: string, lane: Lane): void {
    this.running[lane] += 1;
    void this.execute(key, lane);
  }

  private async execute(key: string, lane: Lane): Promise<void> {
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
    this.running[lane] -= 1;
    // A freed event slot may let more than one key start (a turn, then an event that was capped).
    while (!this.closed && this.size.running < this.concurrency) {
      const next = this.nextKey();
      if (next === undefined) break;
      this.start(next, this.inHand.get(next)?.lane ?? 'turn');
    }
    for (const which of ['turn', 'event'] as const) {
      if (this.rejectedSinceIdle[which] && this.queueOf(which).length < this.maxWaiting / 2) {
        this.rejectedSinceIdle[which] = false;
        this.onRoomAfterRejection();
      }
    }
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.size.running !== 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
