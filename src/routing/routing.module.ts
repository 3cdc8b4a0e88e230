import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { StoredTextScrubber } from '../logging/stored-text.scrubber';
import { ClaimRepository } from './claim.repository';
import { EngineSettings } from './engine-settings';
import { EVENT_HANDLERS, type EventHandler } from './event-handler';
import { EventProcessor } from './event.processor';
import { EventRepository } from './event.repository';
import { ModelHealth } from './model-health';
import { OutcomeWriter } from './outcome.writer';
import { ProcessingStats } from './processing-stats';
import { RoutingListener } from './routing.listener';
import { RoutingService } from './routing.service';
import { TurnProcessor } from './turn.processor';
import { TurnRepository } from './turn.repository';

@Module({
  imports: [AgentsModule],
  providers: [
    EngineSettings,
    StoredTextScrubber,
    ProcessingStats,
    ModelHealth,
    ClaimRepository,
    OutcomeWriter,
    TurnRepository,
    TurnProcessor,
    EventRepository,
    EventProcessor,
    RoutingService,
    RoutingListener,
    // Workflow handlers join this list as they are written; unhandled types are marked skipped.
    { provide: EVENT_HANDLERS, useFactory: (): EventHandler[] => [] },
  ],
  exports: [ModelHealth, ProcessingStats],
})
export class RoutingModule {}
