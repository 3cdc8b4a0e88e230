import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { AppEventBus } from '../events/app-event-bus';
import { RoutingModule } from '../routing/routing.module';
import { BacklogMonitor } from './backlog.monitor';
import { BacklogRepository } from './backlog.repository';
import { CatchUpListener } from './catch-up.listener';
import { CatchUpRepository } from './catch-up.repository';
import { CatchUpSweep } from './catch-up.sweep';
import { ChangeFeed } from './change-feed';
import { ChangeFeedLifecycle } from './change-feed.lifecycle';
import { PostgresChangeFeed } from './postgres-change-feed';
import { SubscriptionRegistry } from './subscription-registry';
import { SupabaseChangeFeed } from './supabase-change-feed';

/** The feed REALTIME_SOURCE names (validateEnvironment resolves the default and checks its settings). */
function createFeed(
  config: ConfigService<Environment, true>,
  database: DatabaseService,
  registry: SubscriptionRegistry,
  bus: AppEventBus,
): ChangeFeed {
  const reconnect = {
    minMs: config.get('FEED_RECONNECT_MIN_MS', { infer: true }),
    maxMs: config.get('FEED_RECONNECT_MAX_MS', { infer: true }),
  };
  if (config.get('REALTIME_SOURCE', { infer: true }) === 'supabase') {
    const url = config.get('SUPABASE_URL', { infer: true });
    const serviceRoleKey = config.get('SUPABASE_SERVICE_ROLE_KEY', { infer: true });
    if (!url || !serviceRoleKey) throw new Error('the supabase feed needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
    return new SupabaseChangeFeed(
      {
        url,
        serviceRoleKey,
        heartbeatIntervalMs: config.get('REALTIME_HEARTBEAT_INTERVAL_MS', { infer: true }),
        joinTimeoutMs: config.get('REALTIME_JOIN_TIMEOUT_MS', { infer: true }),
        reconnect,
      },
      registry,
      bus,
    );
  }
  return new PostgresChangeFeed(
    { url: database.url, probeIntervalMs: config.get('LISTEN_PROBE_INTERVAL_MS', { infer: true }), reconnect },
    registry,
    bus,
  );
}

@Module({
  // The event types the engine handles: the sweep and the backlog read only those.
  imports: [RoutingModule],
  providers: [
    SubscriptionRegistry,
    {
      provide: ChangeFeed,
      useFactory: createFeed,
      inject: [ConfigService, DatabaseService, SubscriptionRegistry, AppEventBus],
    },
    ChangeFeedLifecycle,
    CatchUpRepository,
    CatchUpSweep,
    CatchUpListener,
    BacklogRepository,
    BacklogMonitor,
  ],
  exports: [SubscriptionRegistry, BacklogMonitor],
})
export class RealtimeModule {}
