import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { MetricsController } from './metrics.controller';
import { UnhandledEventsMetric } from './unhandled-events.metric';

@Module({
  imports: [RoutingModule],
  controllers: [MetricsController],
  providers: [UnhandledEventsMetric],
})
export class MetricsModule {}
