import type { ClaimRepository } from './claim.repository';

export interface LeaseKeeperOptions {
  leaseMs: number;
  /**
   * Renew no longer than this after the start: the work's own timeout plus what its commit may
   * take. Past it the work is over (committed, failed or aborted), so a lease still held is left to
   * expire instead of being renewed by a keeper nobody stopped.
   */
  renewForMs: number;
  onError: (error: unknown) => void;
}

/**
 * Keeps a claim's lease alive while its work runs, renewing at a third of the lease. Renewals are
 * single-flight: the next is scheduled only once the last one returned, so a renewal blocked on a
 * row lock (the turn's own commit holding the claim row) never piles up a queue of connections.
 * If a renewal finds the claim gone (taken over after a stall), `lost` aborts the work: its commit
 * would be refused by the fencing token anyway, so there is no point spending model time on it.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly deadline: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly claims: ClaimRepository,
    private readonly key: string,
    private readonly token: string,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.deadline = Date.now() + options.renewForMs;
    this.intervalMs = Math.max(100, Math.floor(options.leaseMs / 3));
    this.schedule();
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped || this.controller.signal.aborted) return;
    const delay = Math.min(this.intervalMs, this.deadline - Date.now());
    if (delay <= 0) return;
    this.timer = setTimeout(() => void this.renew(), delay);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      const alive = await this.claims.renew(this.key, this.token, this.options.leaseMs);
      if (!alive) this.controller.abort(new Error('claim lost to another worker'));
    } catch (error) {
      // A failed renewal is not a lost claim: the lease may still be valid; try again next time.
      this.options.onError(error);
    }
    this.schedule();
  }
}
