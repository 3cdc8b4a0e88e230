import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { WakeUpSource } from '../events/app-events';
import { AppEventBus } from '../events/app-event-bus';
import { EngineSettings } from './engine-settings';
import { InstanceRepository } from './instance.repository';
import { ProcessingStats } from './processing-stats';
import { rendezvousOwner } from './rendezvous';

/** An instance whose last heartbeat is older than this many periods is gone. */
export const LIVENESS_PERIODS = 3;

export interface WakeUpFacts {
  source: WakeUpSource;
  /** Sweep wake-ups: how long the user's oldest due text has been due (database clock). */
  dueForMs?: number;
}

/**
 * Claim affinity (CLAIM_AFFINITY): which wake-ups this instance acts on. Without it every instance
 * tries to claim every text it hears about, and all but one attempt are wasted. With it, each
 * instance heartbeats into `processor_instances` and reads who is alive; a wake-up about a turn is
 * acted on only by the turn key's owner among the live instances (rendezvous hashing), so one
 * instance tries. Ownership only chooses who tries first, never who may commit: claims and fencing
 * tokens decide exactly as before, and whenever ownership cannot be trusted everyone tries:
 * - a sweep wake-up for a text due longer than CLAIM_AFFINITY_GRACE_MS is tried by anyone (a dead,
 *   stalled or overloaded owner delays a text by at most the grace plus a sweep period);
 * - an instance whose own view of the live set is older than the liveness window tries everything;
 * - an instance that sees another one leave sweeps at once, so the users that moved to it are
 *   taken up within a heartbeat instead of a sweep period.
 */
@Injectable()
export class ClaimAffinity implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClaimAffinity.name);
  private readonly livenessMs: number;
  private live: readonly string[] = [];
  /** performance.now() of the last heartbeat that returned; the view is trusted within livenessMs of it. */
  private viewAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly settings: EngineSettings,
    private readonly instances: InstanceRepository,
    private readonly stats: ProcessingStats,
    private readonly bus: AppEventBus,
  ) {
    this.livenessMs = LIVENESS_PERIODS * settings.heartbeatMs;
  }

  get enabled(): boolean {
    return this.settings.claimAffinity;
  }

  /** The live instances as this instance last read them (empty before the first heartbeat). */
  get liveInstances(): readonly string[] {
    return this.live;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.settings.heartbeatMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.enabled) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    try {
      await this.instances.leave(this.settings.owner);
    } catch (error) {
      // The row expires with the liveness window: the others route around this instance anyway.
      this.logger.warn({ event: 'instance_leave_failed', err: error }, 'could not deregister; the heartbeat expires');
    }
  }

  /** Whether this instance should try to claim the turn `key` on this wake-up. */
  shouldTry(key: string, wakeUp: WakeUpFacts): boolean {
    if (!this.enabled) return true;
    if (wakeUp.source === 'sweep' && (wakeUp.dueForMs ?? Number.POSITIVE_INFINITY) >= this.settings.affinityGraceMs) {
      return true;
    }
    if (performance.now() - this.viewAt > this.livenessMs) return true;
    return rendezvousOwner(key, this.live) === this.settings.owner;
  }

  /** One heartbeat at a time: a slow one is not overtaken by the next. */
  private beat(): void {
    if (this.beating || this.stopped) return;
    this.beating = this.heartbeat().finally(() => (this.beating = undefined));
  }

  private async heartbeat(): Promise<void> {
    try {
      const live = await this.instances.heartbeat(this.settings.owner, this.livenessMs);
      if (this.stopped) return;
      const before = new Set(this.live);
      const left = this.viewAt === Number.NEGATIVE_INFINITY ? [] : this.live.filter((id) => !live.includes(id));
      const joined = live.filter((id) => !before.has(id));
      this.live = live;
      this.viewAt = performance.now();
      this.failing = false;
      this.stats.liveInstances(live.length);
      if (left.length + joined.length > 0) {
        this.logger.log({ event: 'instances_changed', live: live.length, joined, left }, 'live instances changed');
      }
      // Users of an instance that left now belong to the others; their texts were ignored meanwhile.
      if (left.length > 0) this.bus.emit('catch-up.requested', { reason: 'instance left' });
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          { event: 'instance_heartbeat_failed', err: error },
          'heartbeat failed; every wake-up is tried until one succeeds',
        );
      }
      this.failing = true;
    }
  }
}
