import type { DeadWork } from '../events/app-events';
import type { ChannelName } from '../realtime/subscription.types';

/**
 * Where the service reports what needs a person: dead items, a subscription down past its grace,
 * and (inside the Sentry implementation) unhandled errors. Two implementations: Sentry when
 * SENTRY_DSN is set (its SDK is loaded only then), and none.
 */
export abstract class ErrorReporter {
  abstract readonly enabled: boolean;
  abstract deadItem(item: DeadWork): void;
  abstract subscriptionDown(channel: ChannelName, downForMs: number, lastError?: string): void;
  /** Sends what is pending, waiting at most `timeoutMs`. */
  abstract close(timeoutMs: number): Promise<void>;
}

/** No SENTRY_DSN: nothing is reported, nothing is loaded. */
export class DisabledErrorReporter extends ErrorReporter {
  readonly enabled = false;
  deadItem(): void {}
  subscriptionDown(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}
