import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { AppEventBus } from '../events/app-event-bus';
import { CatchUpListener } from './catch-up.listener';
import { CatchUpRepository } from './catch-up.repository';
import { CatchUpSweep } from './catch-up.sweep';
import { ChangeFeed } from './change-feed';
import { ChangeFeedLifecycle } from './change-feed.lifecycle';
import { PostgresChangeFeed } from './postgres-change-feed';
import { SubscriptionRegistry } from './subscription-registry';

function createFeed(
  config: ConfigService<Environment, true>,
  database: DatabaseService,
  registry: SubscriptionRegistry,
  bus: AppEventBus,
): ChangeFeed {
  return new PostgresChangeFeed(
    { url: database.url, probeIntervalMs: 5000, reconnectMinMs: 200, reconnectMaxMs: 10000 },
    registry,
    bus,
  );
}

@Module({
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
  ],
  exports: [SubscriptionRegistry],
})
export class RealtimeModule {}
