import type { NewEvent } from '../../agent.types';
import type { AgentEffect } from '../../effects/agent-effect.types';
import type { ConciergeContext } from '../concierge.context';

export const CREATED_BY = 'concierge_agent';

export function conciergeEvent(
  eventType: string,
  aggregateType: string,
  aggregateId: string,
  payload: Record<string, unknown>,
): NewEvent {
  return {
    event_type: eventType,
    aggregate_type: aggregateType,
    aggregate_id: aggregateId,
    payload,
    created_by: CREATED_BY,
  };
}

/** The member's answer takes the item out of their priorities (when it is one). */
export function settlePriority(
  context: ConciergeContext,
  itemType: string,
  itemId: string,
  status: 'actioned' | 'responded',
): AgentEffect[] {
  const listed = context.priorities.some((p) => p.itemType === itemType && p.itemId === itemId);
  return listed ? [{ type: 'set_priority_status', userId: context.user.id, itemType, itemId, status }] : [];
}

/** The member's own texts of this turn. */
export function userTexts(context: ConciergeContext): string[] {
  return context.trigger.kind === 'message' ? context.trigger.userTexts : [];
}

export const idSchema = (description: string) => ({ type: 'string', format: 'uuid', description });
export const textSchema = (description: string) => ({ type: 'string', description });
