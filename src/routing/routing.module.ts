import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { StoredTextScrubber } from '../logging/stored-text.scrubber';
import { WorkflowsModule } from '../workflows/workflows.module';
import { ClaimAffinity } from './claim-affinity';
import { ClaimsModule } from './claims.module';
import { EventOwnership } from './event-ownership';
import { EventProcessor } from './event.processor';
import { EventRepository } from './event.repository';
import { InstanceRepository } from './instance.repository';
import { ModelHealth } from './model-health';
import { OutcomeWriter } from './outcome.writer';
import { ProcessingStats } from './processing-stats';
import { RoutingListener } from './routing.listener';
import { RoutingService } from './routing.service';
import { TurnProcessor } from './turn.processor';
import { TurnRepository } from './turn.repository';

@Module({
  // The workflows provide EVENT_HANDLERS: the event types this engine claims.
  imports: [AgentsModule, WorkflowsModule, ClaimsModule],
  providers: [
    StoredTextScrubber,
    ProcessingStats,
    ModelHealth,
    InstanceRepository,
    ClaimAffinity,
    OutcomeWriter,
    TurnRepository,
    TurnProcessor,
    EventRepository,
    EventProcessor,
    RoutingService,
    RoutingListener,
    EventOwnership,
  ],
  exports: [ModelHealth, ProcessingStats, EventOwnership, ClaimAffinity],
})
export class RoutingModule {}
