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
});
