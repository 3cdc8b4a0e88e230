import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import type { Environment } from '../config/environment';
import { retryHorizonMs, type RetryPolicy } from './retry-policy';

/** The engine's settings, read once from the validated configuration. */
@Injectable()
export class EngineSettings {
  readonly owner: string;
  readonly leaseMs: number;
  readonly turnTimeoutMs: number;
  /** What a commit after the work may take: a few statements, each bounded by the statement timeout. */
  readonly commitBudgetMs: number;
  readonly concurrency: number;
  /** User turns before event handlers in the scheduler (see KeyedWorkScheduler). */
  readonly turnPriority: boolean;
  readonly maxWaiting: number;
  /** Only a turn's owner acts on its wake-ups at once (see ClaimAffinity). */
  readonly claimAffinity: boolean;
  readonly heartbeatMs: number;
  readonly affinityGraceMs: number;
  readonly maxMessagesPerTurn: number;
  readonly drainMs: number;
  readonly retry: RetryPolicy;
  readonly outageBudgetMs: number;
  readonly holdingAfterMs: number;
  /** A `next_attempt_at` further ahead than this is read as due (see TurnRepository.claim). */
  readonly retryHorizonMs: number;

  constructor(config: ConfigService<Environment, true>) {
    this.owner = config.get('INSTANCE_ID', { infer: true }) ?? `${hostname()}:${process.pid}`;
    this.leaseMs = config.get('CLAIM_LEASE_MS', { infer: true });
    this.turnTimeoutMs = config.get('TURN_TIMEOUT_MS', { infer: true });
    this.commitBudgetMs = 2 * config.get('DB_STATEMENT_TIMEOUT_MS', { infer: true });
    this.concurrency = config.get('MAX_CONCURRENCY', { infer: true });
    this.turnPriority = config.get('TURN_PRIORITY', { infer: true });
    // Enough queued keys to keep every slot busy between sweeps, small enough to stay flat.
    this.maxWaiting = this.concurrency * 32;
    this.claimAffinity = config.get('CLAIM_AFFINITY', { infer: true });
    this.heartbeatMs = config.get('INSTANCE_HEARTBEAT_MS', { infer: true });
    this.affinityGraceMs = config.get('CLAIM_AFFINITY_GRACE_MS', { infer: true });
    this.maxMessagesPerTurn = config.get('MAX_MESSAGES_PER_TURN', { infer: true });
    this.drainMs = config.get('SHUTDOWN_DRAIN_MS', { infer: true });
    this.retry = {
      maxAttempts: config.get('MAX_ATTEMPTS', { infer: true }),
      baseDelayMs: config.get('RETRY_BASE_DELAY_MS', { infer: true }),
      maxDelayMs: config.get('RETRY_MAX_DELAY_MS', { infer: true }),
    };
    this.outageBudgetMs = config.get('MODEL_OUTAGE_BUDGET_MS', { infer: true });
    this.holdingAfterMs = config.get('HOLDING_TEXT_AFTER_MS', { infer: true });
    this.retryHorizonMs = retryHorizonMs(this.retry.maxDelayMs);
  }
}
