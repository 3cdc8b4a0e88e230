import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ModelMetrics } from '../agents/model/model-metrics';
import { DispatchMetrics } from '../messaging/dispatch-metrics';
import { BacklogMonitor } from '../realtime/backlog.monitor';
import { BACKLOG_KINDS, DEAD_KINDS } from '../realtime/backlog.repository';
import { SubscriptionRegistry } from '../realtime/subscription-registry';
import { CHANNELS } from '../realtime/subscription.types';
import { ProcessingStats } from '../routing/processing-stats';
import { cpuLimit, memoryLimitBytes } from './container-limits';

export const METRIC_PREFIX = 'realtime_processor_';

/**
 * Everything /metrics shows: the engine's and the model's own registries, plus gauges read at
 * scrape time from state others keep (subscriptions, the sweep's last backlog read) and the
 * process metrics. Reads only: a scrape never touches the database.
 */
@Injectable()
export class MetricsService {
  readonly registry: Registry;

  constructor(
    stats: ProcessingStats,
    model: ModelMetrics,
    subscriptions: SubscriptionRegistry,
    backlog: BacklogMonitor,
    dispatch: DispatchMetrics,
  ) {
    const own = new Registry();
    collectDefaultMetrics({ register: own, prefix: METRIC_PREFIX });
    new Gauge({
      name: `${METRIC_PREFIX}container_memory_limit_bytes`,
      help: 'Memory the container may use (cgroup limit, else the machine): the memory alert divides by it',
      registers: [own],
    }).set(memoryLimitBytes());
    new Gauge({
      name: `${METRIC_PREFIX}container_cpu_limit`,
      help: 'CPUs the container may use (cgroup quota, else the machine): the CPU alert divides by it',
      registers: [own],
    }).set(cpuLimit());
    new Gauge({
      name: `${METRIC_PREFIX}subscription_up`,
      help: 'Whether the change-feed subscription is connected (1) or not (0), by channel',
      labelNames: ['channel'],
      registers: [own],
      collect(this: Gauge<'channel'>) {
        for (const channel of CHANNELS) this.set({ channel }, subscriptions.get(channel).state === 'connected' ? 1 : 0);
      },
    });
    new Counter({
      name: `${METRIC_PREFIX}subscription_reconnects_total`,
      help: 'Times the subscription came back after having been connected, by channel',
      labelNames: ['channel'],
      registers: [own],
      collect(this: Counter<'channel'>) {
        this.reset();
        for (const channel of CHANNELS) this.inc({ channel }, subscriptions.reconnects(channel));
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}backlog`,
      help: 'Unfinished inbound messages and events, and due queued texts, at the last sweep, by kind',
      labelNames: ['kind'],
      registers: [own],
      collect(this: Gauge<'kind'>) {
        const snapshot = backlog.snapshot();
        if (snapshot) for (const kind of BACKLOG_KINDS) this.set({ kind }, snapshot.pending[kind]);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}backlog_oldest_seconds`,
      help: 'Age of the oldest item of the backlog at the last sweep (0 when empty), by kind',
      labelNames: ['kind'],
      registers: [own],
      collect(this: Gauge<'kind'>) {
        const snapshot = backlog.snapshot();
        if (snapshot) for (const kind of BACKLOG_KINDS) this.set({ kind }, snapshot.oldestSeconds[kind]);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}dead_letters`,
      help: 'Dead inbound messages and events (all instances), at the last sweep, by kind',
      labelNames: ['kind'],
      registers: [own],
      collect(this: Gauge<'kind'>) {
        const snapshot = backlog.snapshot();
        if (snapshot) for (const kind of DEAD_KINDS) this.set({ kind }, snapshot.dead[kind]);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Queued texts waiting in message_queue (due or scheduled), at the last sweep, by priority lane',
      labelNames: ['priority'],
      registers: [own],
      collect(this: Gauge<'priority'>) {
        const snapshot = backlog.snapshot();
        if (snapshot)
          for (const [priority, depth] of Object.entries(snapshot.queueDepth)) this.set({ priority }, depth);
      },
    });
    this.registry = Registry.merge([stats.registry, model.registry, dispatch.registry, own]);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
