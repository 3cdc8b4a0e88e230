import { Module } from '@nestjs/common';
import { Clock } from './clock';
import { MessageDispatchRepository } from './message-dispatch.repository';
import { MessageDispatcher } from './message-dispatcher';
import { MessagingSettings } from './messaging-settings';
import { QueueMetrics } from './queue-metrics';
import { QueuedMessageSender } from './queued-message.sender';
import { SubjectRelevanceRepository } from './subject-relevance.repository';

/**
 * Message discipline: the dispatcher of `message_queue` (budgets, quiet hours, opt-out,
 * relevance, lanes). Texts are queued by turns and handlers through message-queue.writer.ts.
 * DatabaseService and ConfigService come from their global modules.
 */
@Module({
  providers: [
    Clock,
    MessagingSettings,
    MessageDispatchRepository,
    SubjectRelevanceRepository,
    QueueMetrics,
    QueuedMessageSender,
    MessageDispatcher,
  ],
  exports: [MessageDispatcher, QueueMetrics],
})
export class MessagingModule {}
