// The one file that imports @sentry/nestjs; loaded only when SENTRY_DSN is set (reporting.module.ts).
import * as Sentry from '@sentry/nestjs';
import type { DeadWork } from '../events/app-events';
import type { SecretScrubber } from '../logging/secret-scrubber';
import type { ChannelName } from '../realtime/subscription.types';
import { ErrorReporter } from './error-reporter';
import { scrubReport } from './report-scrubber';

export interface SentrySettings {
  dsn: string;
  environment: string;
  scrubber: SecretScrubber;
}

export class SentryErrorReporter extends ErrorReporter {
  readonly enabled = true;

  constructor(settings: SentrySettings) {
    super();
    Sentry.init({
      dsn: settings.dsn,
      environment: settings.environment,
      // Errors only: no tracing, no personal data, no breadcrumbs (they would copy log lines and URLs).
      sendDefaultPii: false,
      maxBreadcrumbs: 0,
      beforeSend: (event) => scrubReport(event, settings.scrubber),
      // An unhandled rejection is reported (scrubbed by beforeSend) and logged as one JSON line by
      // UnhandledRejectionLogger. Sentry's default mode would print its raw stack to the console
      // instead: not JSON, and not scrubbed (an error may quote a key).
      integrations: (defaults) => [
        ...defaults.filter((integration) => integration.name !== 'OnUnhandledRejection'),
        Sentry.onUnhandledRejectionIntegration({ mode: 'none' }),
      ],
    });
  }

  deadItem(item: DeadWork): void {
    Sentry.captureMessage(`dead ${item.kind} (${item.reason})`, {
      level: 'error',
      fingerprint: ['dead-item', item.kind, item.reason, item.eventType ?? ''],
      tags: {
        kind: item.kind,
        reason: item.reason,
        ...(item.eventType ? { event_type: item.eventType.slice(0, 200) } : {}),
      },
      extra: { id: item.id, userId: item.userId ?? null, attempts: item.attempts ?? null },
    });
  }

  subscriptionDown(channel: ChannelName, downForMs: number, lastError?: string): void {
    Sentry.captureMessage(`subscription ${channel} down past its grace`, {
      level: 'error',
      fingerprint: ['subscription-down', channel],
      tags: { channel },
      extra: { downForMs, lastError: lastError ?? null },
    });
  }

  async close(timeoutMs: number): Promise<void> {
    await Sentry.close(timeoutMs);
  }
}
