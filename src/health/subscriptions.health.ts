import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Environment } from '../config/environment';
import { SubscriptionRegistry } from '../realtime/subscription-registry';
import { CHANNELS, type ChannelName, type SubscriptionState } from '../realtime/subscription.types';

/**
 * Up while every subscription is connected; degraded while one is reconnecting within the grace
 * period (the catch-up sweep keeps work moving meanwhile); down once one has been out longer, so
 * the platform can restart the instance instead of it pretending to be healthy.
 */
@Injectable()
export class SubscriptionsHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: SubscriptionRegistry,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  states(): Record<ChannelName, SubscriptionState> {
    const snapshot = this.registry.snapshot();
    return Object.fromEntries(CHANNELS.map((name) => [name, snapshot[name].state])) as Record<
      ChannelName,
      SubscriptionState
    >;
  }

  check(): HealthIndicatorResult<'subscriptions'> {
    const session = this.indicators.check('subscriptions');
    const grace = this.config.get('SUBSCRIPTION_GRACE_MS', { infer: true });
    const channels = Object.fromEntries(
      Object.entries(this.registry.snapshot()).map(([name, status]) => [
        name,
        { state: status.state, since: status.since.toISOString(), lastError: status.lastError },
      ]),
    );
    const downFor = Math.max(...CHANNELS.map((name) => this.registry.downFor(name)));
    if (downFor === 0) return session.up({ channels });
    if (downFor <= grace) return session.degraded({ channels, downForMs: downFor });
    return session.down({ channels, downForMs: downFor });
  }
}
