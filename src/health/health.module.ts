import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoutingModule } from '../routing/routing.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { SubscriptionsHealthIndicator } from './subscriptions.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), RealtimeModule, RoutingModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, SubscriptionsHealthIndicator],
})
export class HealthModule {}
