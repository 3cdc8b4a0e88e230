/** The two subscriptions of the product README, whatever feed implements them. */
export const CHANNELS = ['user-messages', 'agent-events'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export type SubscriptionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ChannelStatus {
  state: SubscriptionState;
  /** When the channel entered this state. */
  since: Date;
  lastError?: string;
  /** When the channel was last connected; undefined if never. */
  lastConnectedAt?: Date;
}
