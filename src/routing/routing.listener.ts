import { Injectable, Logger } from '@nestjs/common';
import type { AppEvents } from '../events/app-events';
import { OnAppEvent } from '../events/app-event-bus';
import { RoutingService } from './routing.service';

/** Feed and sweep wake-ups into the engine. */
@Injectable()
export class RoutingListener {
  private readonly logger = new Logger(RoutingListener.name);

  constructor(private readonly routing: RoutingService) {}

  @OnAppEvent('inbound-message.noticed')
  async onMessage(wakeUp: AppEvents['inbound-message.noticed']): Promise<void> {
    try {
      await this.routing.messageNoticed(wakeUp.messageId, wakeUp.userId, wakeUp);
    } catch (error) {
      this.logger.error(
        { event: 'wake_up_failed', messageId: wakeUp.messageId, err: error },
        'could not schedule a message',
      );
    }
  }

  @OnAppEvent('agent-event.noticed')
  onEvent(wakeUp: AppEvents['agent-event.noticed']): void {
    try {
      this.routing.eventNoticed(wakeUp.eventId, wakeUp.eventType);
    } catch (error) {
      this.logger.error(
        { event: 'wake_up_failed', eventId: wakeUp.eventId, err: error },
        'could not schedule an event',
      );
    }
  }
}
