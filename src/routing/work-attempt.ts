import type { Logger } from '@nestjs/common';
import type { ClaimRepository } from './claim.repository';
import type { EngineSettings } from './engine-settings';
import { LeaseKeeper } from './lease-keeper';

/** Why an attempt ended without counting as a failure. */
export type Interruption = 'shutdown' | 'lease-lost';

/**
 * One claimed turn or event while it runs: its lease kept alive, and the one signal that ends it
 * (shutdown past the drain budget, the claim lost to another worker, or the turn timeout).
 */
export class WorkAttempt {
  readonly startedAt = Date.now();
  readonly signal: AbortSignal;
  private readonly lease: LeaseKeeper;

  constructor(
    claims: ClaimRepository,
    claim: { key: string; token: string },
    settings: EngineSettings,
    private readonly shutdown: AbortSignal,
    logger: Logger,
  ) {
    this.lease = new LeaseKeeper(claims, claim.key, claim.token, {
      leaseMs: settings.leaseMs,
      renewForMs: settings.turnTimeoutMs + settings.commitBudgetMs,
      onError: (error) => logger.warn({ event: 'lease_renewal_failed', err: error }, 'could not renew a claim'),
    });
    this.signal = AbortSignal.any([shutdown, this.lease.lost, AbortSignal.timeout(settings.turnTimeoutMs)]);
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** A failed attempt that is not the work's fault: give it back, or leave it to the new owner. */
  interruption(): Interruption | null {
    if (this.shutdown.aborted) return 'shutdown';
    if (this.lease.lost.aborted) return 'lease-lost';
    return null;
  }

  stop(): void {
    this.lease.stop();
  }
}
