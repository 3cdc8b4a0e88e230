/** Bounds of the delay between attempts to re-establish a change feed. */
export interface ReconnectBounds {
  minMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): doubles from `minMs` up to `maxMs`, with
 * "equal jitter" (somewhere between half and all of it), so instances that lost the same server
 * at the same moment do not come back in lockstep. Never above `maxMs`, never zero.
 */
export function reconnectDelayMs(
  attempt: number,
  { minMs, maxMs }: ReconnectBounds,
  random: () => number = Math.random,
): number {
  // 2 ** 30 already exceeds any sane cap; the clamp keeps the arithmetic finite for any attempt.
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const ceiling = Math.min(maxMs, minMs * 2 ** exponent);
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}
