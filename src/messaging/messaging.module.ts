import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ClaimsModule } from '../routing/claims.module';
import { Clock } from './clock';
import { DispatchMetrics } from './dispatch-metrics';
import { MessageDispatchRepository } from './message-dispatch.repository';
import { MessageDispatcher } from './message-dispatcher';
import { MessagingSettings } from './messaging-settings';
import { QueuedMessageRenderer } from './queued-message.renderer';
import { QueuedMessageSender } from './queued-message.sender';
import { RenderClaims } from './render-claims';
import { SubjectRelevanceRepository } from './subject-relevance.repository';

/**
 * Message discipline: the dispatcher of `message_queue` (budgets, quiet hours, opt-out,
 * relevance, lanes). Texts are queued by turns and handlers through message-queue.writer.ts.
 * AgentsModule lends the model port for rendering `message_data`; a render is claimed in
 * `processing_claims` (RenderClaims, on ClaimsModule's repository), so one instance renders a unit.
 * DatabaseService and ConfigService come from their global modules.
 */
@Module({
  imports: [AgentsModule, ClaimsModule],
  providers: [
    Clock,
    DispatchMetrics,
    MessagingSettings,
    MessageDispatchRepository,
    SubjectRelevanceRepository,
    QueuedMessageRenderer,
    QueuedMessageSender,
    RenderClaims,
    MessageDispatcher,
  ],
  exports: [MessageDispatcher, DispatchMetrics],
})
export class MessagingModule {}
