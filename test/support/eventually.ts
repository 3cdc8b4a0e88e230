export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Re-runs `check` until it stops throwing (then returns its result) or the timeout passes (then
 * throws the last failure). For effects that happen in another process or after a notification;
 * the assertion inside `check` is what the test proves, and the timeout only bounds the wait: it
 * is generous by default (30 s), since a slow CI machine takes longer and only a defect never gets
 * there.
 */
export async function expectEventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const interval = options.intervalMs ?? 25;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
