import { Injectable, Logger } from '@nestjs/common';
import { OnAppEvent } from '../events/app-event-bus';
import type { AppEvents } from '../events/app-events';
import { ErrorReporter } from './error-reporter';

/** One report per dead message or event. */
@Injectable()
export class DeadWorkListener {
  private readonly logger = new Logger(DeadWorkListener.name);

  constructor(private readonly reporter: ErrorReporter) {}

  @OnAppEvent('work.dead')
  onDead(item: AppEvents['work.dead']): void {
    try {
      this.reporter.deadItem(item);
    } catch (error) {
      this.logger.warn({ event: 'error_report_failed', err: error }, 'could not report a dead item');
    }
  }
}
