import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [RoutingModule],
  controllers: [MetricsController],
})
export class MetricsModule {}
