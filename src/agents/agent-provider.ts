import type { AgentName, AgentOutcome } from './agent.types';
import type { TurnContext } from './context/agent-context.types';

export interface AgentHandleOptions {
  /** Fires on shutdown or when the engine gives up on the turn; passed to every model call. */
  signal: AbortSignal;
}

/**
 * One agent (Bouncer, Concierge, Innovator). It loads its own context on top of the turn's,
 * decides and returns an outcome; it never writes (the engine commits the outcome in the turn's
 * transaction). Throwing makes the engine retry the turn later.
 */
export interface AgentProvider {
  readonly name: AgentName;
  handle(turn: TurnContext, options: AgentHandleOptions): Promise<AgentOutcome>;
}

/** The injection token of the list of providers; AgentDispatcher picks one by name. */
export const AGENT_PROVIDERS: unique symbol = Symbol('AGENT_PROVIDERS');
export type AgentProviders = readonly AgentProvider[];
