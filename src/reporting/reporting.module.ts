import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { configuredSecrets } from '../logging/stored-text.scrubber';
import { SecretScrubber } from '../logging/secret-scrubber';
import { RealtimeModule } from '../realtime/realtime.module';
import { DeadWorkListener } from './dead-work.listener';
import { DisabledErrorReporter, ErrorReporter } from './error-reporter';
import { SubscriptionOutageWatch } from './subscription-outage.watch';
import { UnhandledRejectionLogger } from './unhandled-rejection.logger';

/** Longest wait on shutdown for reports still being sent. */
const CLOSE_TIMEOUT_MS = 2000;

async function createReporter(config: ConfigService<Environment, true>): Promise<ErrorReporter> {
  const dsn = config.get('SENTRY_DSN', { infer: true });
  if (!dsn) return new DisabledErrorReporter();
  // Imported here, so that without a DSN the Sentry SDK is never loaded.
  const { SentryErrorReporter } = await import('./sentry.error-reporter.js');
  return new SentryErrorReporter({
    dsn,
    environment: config.get('NODE_ENV', { infer: true }),
    scrubber: new SecretScrubber(configuredSecrets(config)),
  });
}

/** Error reporting (Sentry when SENTRY_DSN is set): dead items, subscription outages, unhandled errors. */
@Module({
  imports: [RealtimeModule],
  providers: [
    { provide: ErrorReporter, useFactory: createReporter, inject: [ConfigService] },
    DeadWorkListener,
    SubscriptionOutageWatch,
    UnhandledRejectionLogger,
  ],
})
export class ReportingModule implements OnApplicationShutdown {
  constructor(private readonly reporter: ErrorReporter) {}

  async onApplicationShutdown(): Promise<void> {
    await this.reporter.close(CLOSE_TIMEOUT_MS);
  }
}
