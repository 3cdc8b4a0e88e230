import { KeyedWorkScheduler } from './keyed-work-scheduler';

/** A run that finishes only when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('KeyedWorkScheduler', () => {
  it('never runs more than the limit at once and starts queued work as slots free up', async () => {
    const scheduler = new KeyedWorkScheduler(2, 10);
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    gates.forEach((g, index) =>
      scheduler.schedule(`k${index}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await g.opened;
        running -= 1;
        finished.push(index);
      }),
    );
    expect(scheduler.size).toEqual({ running: 2, waiting: 1 });
    gates[0].open();
    gates[1].open();
    gates[2].open();
    await scheduler.whenIdle();
    expect(peak).toBe(2);
    expect(finished.sort()).toEqual([0, 1, 2]);
  });

  it('coalesces wake-ups for a key in hand into exactly one more run', async () => {
    const scheduler = new KeyedWorkScheduler(4, 10);
    const first = gate();
    let runs = 0;
    const run = async () => {
      runs += 1;
      if (runs === 1) await first.opened;
    };
    expect(scheduler.schedule('user', run)).toBe('started');
    expect(scheduler.schedule('user', run)).toBe('coalesced');
    expect(scheduler.schedule('user', run)).toBe('coalesced');
    first.open();
    await scheduler.whenIdle();
    expect(runs).toBe(2);
    expect(scheduler.has('user')).toBe(false);
  });

  it('turns work away when the queue is full and says when there is room again', async () => {
    let roomCalls = 0;
    const scheduler = new KeyedWorkScheduler(1, 2, () => (roomCalls += 1));
    const blocker = gate();
    scheduler.schedule('a', () => blocker.opened);
    expect(scheduler.schedule('b', () => Promise.resolve())).toBe('queued');
    expect(scheduler.schedule('c', () => Promise.resolve())).toBe('queued');
    expect(scheduler.schedule('d', () => Promise.resolve())).toBe('rejected');
    blocker.open();
    await scheduler.whenIdle();
    expect(roomCalls).toBe(1);
  });

  it('works off a backlog far larger than its queue with the queue never past its bound, losing no key', async () => {
    // The service's shape: a sweep pages through what is still pending (oldest first, pages of 200,
    // at most 10 per sweep) and wakes each key; what the full queue turns away stays pending and
    // is woken by a later sweep, which the scheduler asks for once it has room again.
    const concurrency = 8;
    const maxWaiting = concurrency * 32;
    const backlog = 20_000;
    const pending = new Set(Array.from({ length: backlog }, (_, index) => `user-${index}`));
    const runs = new Map<string, number>();
    let peakWaiting = 0;
    let peakInHand = 0;
    let sweepRequests = 0;
    const scheduler = new KeyedWorkScheduler(concurrency, maxWaiting, () => (sweepRequests += 1));
    const sweep = () => {
      const page = [...pending].slice(0, 200 * 10);
      for (const key of page) {
        scheduler.schedule(key, async () => {
          // A turn takes a moment (other work runs meanwhile), then its rows are done.
          await new Promise((resolve) => setImmediate(resolve));
          runs.set(key, (runs.get(key) ?? 0) + 1);
          pending.delete(key);
        });
        const { running, waiting } = scheduler.size;
        peakWaiting = Math.max(peakWaiting, waiting);
        peakInHand = Math.max(peakInHand, running + waiting);
      }
    };
    let sweeps = 0;
    while (pending.size > 0 && sweeps < backlog) {
      sweep();
      sweeps += 1;
      await scheduler.whenIdle();
    }
    expect(pending.size).toBe(0);
    expect(runs.size).toBe(backlog);
    expect(peakWaiting).toBe(maxWaiting);
    expect(peakInHand).toBeLessThanOrEqual(concurrency + maxWaiting);
    // What the full queue turned away came back through the sweep the scheduler asked for.
    expect(sweepRequests).toBeGreaterThan(0);
  });

  it('keeps going after a run throws', async () => {
    const scheduler = new KeyedWorkScheduler(1, 5);
    let ran = false;
    scheduler.schedule('bad', () => Promise.reject(new Error('boom')));
    scheduler.schedule('good', () => {
      ran = true;
      return Promise.resolve();
    });
    await scheduler.whenIdle();
    expect(ran).toBe(true);
  });

  it('after close takes nothing new and drops what was queued', async () => {
    const scheduler = new KeyedWorkScheduler(1, 5);
    const blocker = gate();
    let queuedRan = false;
    scheduler.schedule('a', () => blocker.opened);
    scheduler.schedule('b', () => {
      queuedRan = true;
      return Promise.resolve();
    });
    scheduler.close();
    expect(scheduler.schedule('c', () => Promise.resolve())).toBe('closed');
    blocker.open();
    await scheduler.whenIdle();
    expect(queuedRan).toBe(false);
  });

  describe('lanes: user turns before event handlers', () => {
    /** Keys in the order they started. */
    function recorder(scheduler: KeyedWorkScheduler) {
      const started: string[] = [];
      const gates = new Map<string, ReturnType<typeof gate>>();
      const add = (key: string, lane: 'turn' | 'event') => {
        const g = gate();
        gates.set(key, g);
        return scheduler.schedule(
          key,
          () => {
            started.push(key);
            return g.opened;
          },
          lane,
        );
      };
      const finish = async (key: string) => {
        gates.get(key)!.open();
        // Let the scheduler hand the slot on.
        await new Promise((resolve) => setImmediate(resolve));
      };
      return { started, add, finish, gates };
    }

    it('starts a queued turn before events that were queued earlier', async () => {
      const scheduler = new KeyedWorkScheduler(2, 100);
      const { started, add, finish } = recorder(scheduler);
      expect(add('t0', 'turn')).toBe('started');
      expect(add('t1', 'turn')).toBe('started');
      for (let i = 0; i < 5; i += 1) expect(add(`e${i}`, 'event')).toBe('queued');
      expect(add('t2', 'turn')).toBe('queued');
      await finish('t0');
      expect(started).toEqual(['t0', 't1', 't2']);
      expect(scheduler.lanes).toEqual({ turn: { running: 2, waiting: 0 }, event: { running: 0, waiting: 5 } });
    });

    it('keeps slots for turns during an event storm, so a text starts at once', () => {
      const scheduler = new KeyedWorkScheduler(8, 1000);
      const { add } = recorder(scheduler);
      const results = Array.from({ length: 500 }, (_, i) => add(`e${i}`, 'event'));
      expect(results.filter((r) => r === 'started')).toHaveLength(6);
      expect(scheduler.lanes.event).toEqual({ running: 6, waiting: 494 });
      expect(add('t0', 'turn')).toBe('started');
      expect(add('t1', 'turn')).toBe('started');
      expect(add('t2', 'turn')).toBe('queued');
    });

    it('never turns a text away because the event queue is full', () => {
      const scheduler = new KeyedWorkScheduler(1, 3);
      const { add } = recorder(scheduler);
      add('e0', 'event');
      for (let i = 1; i <= 3; i += 1) expect(add(`e${i}`, 'event')).toBe('queued');
      expect(add('e4', 'event')).toBe('rejected');
      expect(add('t0', 'turn')).toBe('queued');
    });

    it('gives events a bounded share while turns keep waiting, so events are never starved', async () => {
      const scheduler = new KeyedWorkScheduler(1, 100, () => undefined, { priority: true, eventEvery: 4 });
      const { started, add, finish } = recorder(scheduler);
      add('t0', 'turn');
      for (let i = 0; i < 3; i += 1) add(`e${i}`, 'event');
      for (let i = 1; i <= 12; i += 1) add(`t${i}`, 'turn');
      for (let i = 0; i <= 12; i += 1) await finish(`t${i}`);
      for (let i = 0; i < 3; i += 1) await finish(`e${i}`);
      await scheduler.whenIdle();
      // One start in four goes to a waiting event; the rest to turns.
      expect(started).toEqual([
        't0',
        't1',
        't2',
        't3',
        'e0',
        't4',
        't5',
        't6',
        'e1',
        't7',
        't8',
        't9',
        'e2',
        't10',
        't11',
        't12',
      ]);
    });

    it('with priority off, runs both lanes first come first served in every slot', async () => {
      const scheduler = new KeyedWorkScheduler(2, 100, () => undefined, { priority: false });
      const { started, add, finish } = recorder(scheduler);
      expect(add('e0', 'event')).toBe('started');
      expect(add('e1', 'event')).toBe('started');
      add('e2', 'event');
      add('t0', 'turn');
      await finish('e0');
      await finish('e1');
      expect(started).toEqual(['e0', 'e1', 'e2', 't0']);
    });
  });
});
