import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { Clock } from './clock';
import { DispatchMetrics } from './dispatch-metrics';
import { MessageDispatchRepository } from './message-dispatch.repository';
import { MessageDispatcher } from './message-dispatcher';
import { MessagingSettings } from './messaging-settings';
import { QueuedMessageRenderer } from './queued-message.renderer';
import { QueuedMessageSender } from './queued-message.sender';
import { SubjectRelevanceRepository } from './subject-relevance.repository';

/**
 * Message discipline: the dispatcher of `message_queue` (budgets, quiet hours, opt-out,
 * relevance, lanes). Texts are queued by turns and handlers through message-queue.writer.ts.
 * AgentsModule lends the model port for rendering `message_data`.
 * DatabaseService and ConfigService come from their global modules.
 */
@Module({
  imports: [AgentsModule],
  providers: [
    Clock,
    DispatchMetrics,
    MessagingSettings,
    MessageDispatchRepository,
    SubjectRelevanceRepository,
    QueuedMessageRenderer,
    QueuedMessageSender,
    MessageDispatcher,
  ],
  exports: [MessageDispatcher, DispatchMetrics],
})
export class MessagingModule {}
