import type { AgentName } from '../agent.types';
import type { AgentUser } from './agent-context.types';

export interface AgentRoute {
  agent: AgentName;
  /** Set when the row is inconsistent and a fallback was chosen; logged as a warning. */
  warning: string | null;
}

/** Where a verified user whose `poc_agent_type` is missing or unknown is sent. */
export const VERIFIED_FALLBACK_AGENT: AgentName = 'concierge';

/**
 * docs/architecture.md §1: not verified → Bouncer; verified → `poc_agent_type` (concierge | innovator).
 * Promotion is manual, so a verified row without a member agent is an operator's slip: the user
 * is a member either way, so they get the Concierge and the row is flagged, never a crash.
 */
export function chooseAgent(user: Pick<AgentUser, 'verified' | 'pocAgentType'>): AgentRoute {
  const type = user.pocAgentType;
  if (!user.verified) {
    const consistent = type === null || type === 'bouncer';
    return {
      agent: 'bouncer',
      warning: consistent ? null : `unverified user has poc_agent_type ${JSON.stringify(type)}; the Bouncer answers`,
    };
  }
  if (type === 'concierge' || type === 'innovator') return { agent: type, warning: null };
  return {
    agent: VERIFIED_FALLBACK_AGENT,
    warning: `verified user has poc_agent_type ${JSON.stringify(type)}; falling back to ${VERIFIED_FALLBACK_AGENT}`,
  };
}
