export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the next attempt after `attempts` failed ones: exponential with "full jitter"
 * (a random point in [d/2, d]) so that work failed by one outage does not return in lockstep,
 * capped so a long outage is retried at a steady pace instead of burning attempts in seconds.
 */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}

export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}

/**
 * The furthest ahead the engine ever schedules a retry, with a margin: a `next_attempt_at` beyond
 * it was not written by the engine and is read as due (claims and the catch-up sweep alike).
 */
export function retryHorizonMs(maxDelayMs: number): number {
  return 2 * maxDelayMs + 60_000;
}
