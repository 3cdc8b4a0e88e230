import type { ConsentChange } from '../messaging/consent.types';
import type { QueuedMessage } from '../messaging/queued-message.types';
import type { AgentEffect } from './effects/agent-effect.types';

/**
 * The contract between the processing engine (src/routing) and the agents. The engine claims a
 * turn, asks AgentDispatcher for an AgentOutcome, and commits everything in the outcome in one
 * transaction fenced by its claim. Agents therefore never write to the database during a turn:
 * reads happen while deciding; every write is data in the outcome, applied by the effect writers.
 */
export const AGENT_NAMES = ['bouncer', 'concierge', 'innovator'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** What the engine claimed: the pending inbound messages of one user, oldest first. */
export interface TurnInput {
  userId: string | null;
  /** At least one id; a burst of texts is one turn. */
  messageIds: string[];
}

/** A row to insert into `events` in the turn's transaction. */
export interface NewEvent {
  event_type: string;
  aggregate_id: string | null;
  aggregate_type: string | null;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  created_by: string;
}

/** A row to insert into `agent_actions_log` in the turn's transaction. */
export interface ActionLogEntry {
  agent_type: string;
  action_type: string;
  user_id: string | null;
  context_id?: string | null;
  context_type?: string | null;
  model_used?: string | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  cost_usd?: number | null;
  latency_ms?: number | null;
  input_data?: Record<string, unknown> | null;
  output_data?: Record<string, unknown> | null;
  error?: string | null;
}

/** An outcome's side effects on our own tables: see effects/ (one writer per family). */
export type AgentAction = AgentEffect;
export { USER_WRITABLE_FIELDS, type UserWritableField } from './effects/user-fields.effects';

export interface AgentOutcome {
  /** SMS texts to send, in order; empty when the agent has nothing to say. */
  replies: string[];
  /** Proactive texts (nudges, news): queued for the message dispatcher, never sent at once. */
  queued?: QueuedMessage[];
  /** Set only by the SMS keyword check (src/messaging): STOP opts out, START opts back in. */
  consent?: ConsentChange;
  actions: AgentAction[];
  events: NewEvent[];
  logs: ActionLogEntry[];
}

export interface TurnResult {
  /** The agent that answered; replies are written with this role. */
  agent: AgentName;
  outcome: AgentOutcome;
  /** Why the turn was not answered at all (nothing to answer), recorded on its rows as the outcome. */
  skipped?: string;
}
