import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { SubscriptionRegistry } from '../realtime/subscription-registry';
import { CHANNELS, type ChannelName } from '../realtime/subscription.types';
import { ErrorReporter } from './error-reporter';

/** Longest pause between two looks at the subscriptions. */
const MAX_CHECK_INTERVAL_MS = 5000;

/** Reports a subscription that stays down past SUBSCRIPTION_GRACE_MS, once per outage. */
@Injectable()
export class SubscriptionOutageWatch implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly grace: number;
  private readonly reported = new Set<ChannelName>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly reporter: ErrorReporter,
    config: ConfigService<Environment, true>,
  ) {
    this.grace = config.get('SUBSCRIPTION_GRACE_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    if (!this.reporter.enabled) return;
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(this.grace / 2, MAX_CHECK_INTERVAL_MS)));
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    // Channels go down during a shutdown on purpose.
    clearInterval(this.timer);
  }

  check(now = Date.now()): void {
    for (const channel of CHANNELS) {
      const downFor = this.registry.downFor(channel, now);
      if (downFor === 0) this.reported.delete(channel);
      else if (downFor > this.grace && !this.reported.has(channel)) {
        this.reported.add(channel);
        this.reporter.subscriptionDown(channel, downFor, this.registry.get(channel).lastError);
      }
    }
  }
}
