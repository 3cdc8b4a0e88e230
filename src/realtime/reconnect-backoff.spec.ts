import { reconnectDelayMs } from './reconnect-backoff';

const bounds = { minMs: 100, maxMs: 1000 };

describe('reconnectDelayMs', () => {
  it('doubles from the minimum with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((attempt) => reconnectDelayMs(attempt, bounds, () => 1))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map((attempt) => reconnectDelayMs(attempt, bounds, () => 0))).toEqual([50, 100, 200, 400]);
  });

  it('is capped at the maximum however many attempts failed, and keeps retrying', () => {
    for (const attempt of [5, 6, 50, 10_000, Number.MAX_SAFE_INTEGER]) {
      const delay = reconnectDelayMs(attempt, bounds, () => 1);
      expect(delay).toBe(1000);
      expect(reconnectDelayMs(attempt, bounds, () => 0)).toBe(500);
    }
  });

  it('spreads instances out: different random draws give different delays', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => reconnectDelayMs(3, bounds, () => r)));
    expect(delays.size).toBe(5);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it('treats attempt 0 or below as the first attempt and never returns zero', () => {
    expect(reconnectDelayMs(0, bounds, () => 1)).toBe(100);
    expect(reconnectDelayMs(-3, bounds, () => 1)).toBe(100);
    expect(reconnectDelayMs(1, { minMs: 1, maxMs: 1 }, () => 0)).toBe(1);
  });
});
