import { expectEventually } from '../support/eventually';
import type { ServiceProcess } from '../support/service-process';

export type ChannelStates = Record<'user-messages' | 'agent-events', string>;
export interface ChannelDetails {
  state: string;
  since: string;
  lastError?: string;
}

/**
 * Waits until /health reports a subscription `reconnecting` with a last error matching
 * `lastError`, while the service still answers 200 with the subscriptions check degraded (inside
 * SUBSCRIPTION_GRACE_MS); returns the channels' details at that moment. Polls fast: some outages
 * last a few hundred milliseconds.
 */
export async function expectDegraded(
  service: ServiceProcess,
  lastError: RegExp = /./,
  timeoutMs = 30_000,
): Promise<Record<string, ChannelDetails>> {
  return expectEventually(
    async () => {
      const { status, body } = await service.get('/health');
      const check = (body.checks as Record<string, { status: string; channels: Record<string, ChannelDetails> }>)
        .subscriptions;
      const down = Object.entries(check.channels).filter(([, channel]) => channel.state === 'reconnecting');
      expect(down.map(([name, channel]) => [name, channel.lastError])).toContainEqual([
        expect.any(String),
        expect.stringMatching(lastError),
      ]);
      expect((body.subscriptions as ChannelStates)[down[0][0] as keyof ChannelStates]).toBe('reconnecting');
      expect(status).toBe(200);
      expect(body.status).toBe('healthy');
      expect(check.status).toBe('degraded');
      return check.channels;
    },
    { timeoutMs, intervalMs: 5 },
  );
}
