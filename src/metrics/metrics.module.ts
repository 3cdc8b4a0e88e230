import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { MessagingModule } from '../messaging/messaging.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoutingModule } from '../routing/routing.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [RoutingModule, AgentsModule, RealtimeModule, MessagingModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
