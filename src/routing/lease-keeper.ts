import type { ClaimRepository } from './claim.repository';

/**
 * Keeps a claim's lease alive while its work runs, renewing at a third of the lease. If a renewal
 * finds the claim gone (taken over after a stall), `lost` aborts the work: its commit would be
 * refused by the fencing token anyway, so there is no point spending model time on it.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(claims: ClaimRepository, key: string, token: string, leaseMs: number, onError: (error: unknown) => void) {
    this.timer = setInterval(
      () => {
        claims
          .renew(key, token, leaseMs)
          .then((alive) => {
            if (!alive) this.controller.abort(new Error('claim lost to another worker'));
          })
          // A failed renewal is not a lost claim: the lease may still be valid; try again next tick.
          .catch(onError);
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    this.timer.unref();
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
