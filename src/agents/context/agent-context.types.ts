import type { LoadedIds } from './loaded-ids';

/** The `users` columns the agents read. */
export interface AgentUser {
  id: string;
  phoneNumber: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  linkedinUrl: string | null;
  expertise: string[] | null;
  verified: boolean;
  emailVerified: boolean;
  /** Raw column value: may be null or a value no agent knows (routing handles that). */
  pocAgentType: string | null;
  referredBy: string | null;
  nameDropped: string | null;
}

export interface AgentConversation {
  id: string;
  status: string;
}

/** A `messages` row as the agents see it. */
export interface StoredMessage {
  id: string;
  role: string;
  content: string;
  direction: string;
  createdAt: Date;
}

/** The `re_engagement_check` system row's payload, validated. */
export interface ReengagementCheck {
  attemptCount: number;
  currentStep: string | null;
  missingFields: string[];
}

/** What the turn asks of the agent, derived from its inbound rows (dispatch rules). */
export type TurnTrigger =
  /** User texts (and/or the email webhook's acknowledgment): the normal path. */
  | { kind: 'message'; userTexts: string[]; emailVerifiedAck: boolean }
  /** Only system rows, at least one a re-engagement check: the agent's re-engagement path. */
  | { kind: 're_engagement'; check: ReengagementCheck }
  /** Only system rows the agents do not act on: a silent no-op. */
  | { kind: 'silent'; reason: string };

/**
 * What every agent gets for one turn, loaded once by the dispatcher, read-only. Each agent loads
 * its own context on top of it (bouncer.context.ts, concierge.context.ts...).
 */
export interface TurnContext {
  user: AgentUser;
  conversation: AgentConversation;
  /** The turn's own inbound rows, oldest first. */
  turnMessages: StoredMessage[];
  /** Earlier messages of the conversation (bounded window), oldest first, excluding the turn's rows. */
  earlierMessages: StoredMessage[];
  /** `earlierMessages` followed by `turnMessages`: every message exactly once. */
  history: StoredMessage[];
  trigger: Exclude<TurnTrigger, { kind: 'silent' }>;
  /**
   * Every id loaded for this turn, by kind. A tool may only name ids found here (the one
   * `authorize` rule of kit/agent-tool.ts); agents' contexts add the rows they load.
   */
  ids: LoadedIds;
  now: Date;
}
