import { isExhausted, retryDelayMs, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

describe('retryDelayMs', () => {
  it('doubles per attempt between half and all of the exponential delay', () => {
    expect(retryDelayMs(policy, 1, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 2, () => 1)).toBe(2000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(3000);
  });

  it('is capped so a long outage is retried at a steady pace', () => {
    expect(retryDelayMs(policy, 30, () => 1)).toBe(8000);
    expect(retryDelayMs(policy, 30, () => 0)).toBe(4000);
  });

  it('spreads retries of work failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelayMs(policy, 3)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('isExhausted', () => {
  it('is true from the last allowed attempt on', () => {
    expect(isExhausted(policy, 4)).toBe(false);
    expect(isExhausted(policy, 5)).toBe(true);
  });
});
