import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/**
 * A promise nobody handled rejects: log it as one JSON line (the logger scrubs secrets) and keep
 * serving, with or without Sentry. Node's default would print a raw, unscrubbed stack and kill the
 * process, dropping every turn in flight until its lease expires elsewhere; the rejection is a
 * bug to fix from the log (and from Sentry, whose integration reports it when SENTRY_DSN is set).
 */
@Injectable()
export class UnhandledRejectionLogger implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('UnhandledRejection');
  private readonly listener = (reason: unknown): void =>
    this.logger.error({ event: 'unhandled_rejection', err: reason }, 'unhandled promise rejection');

  onModuleInit(): void {
    process.on('unhandledRejection', this.listener);
  }

  onApplicationShutdown(): void {
    process.off('unhandledRejection', this.listener);
  }
}
