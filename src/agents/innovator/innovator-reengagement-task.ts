import type { AgentEffect } from '../effects/agent-effect.types';
import type { InnovatorContext } from './innovator.context';

export const RE_ENGAGEMENT_TASK = 're_engagement_check';
/** A newer nudge supersedes an older one still queued. */
export const INNOVATOR_NUDGE_SUBJECT = 're_engagement:innovator';
/** After the innovator writes, the next check comes this much later. */
export const CHECK_AFTER_ANSWER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The next `re_engagement_check` of the innovator, replacing any pending one. */
export function innovatorCheck(context: InnovatorContext, at: Date, reason: string, attemptCount: number): AgentEffect {
  return {
    type: 'create_agent_task',
    userId: context.user.id,
    taskType: RE_ENGAGEMENT_TASK,
    agentType: 'innovator',
    scheduledFor: at,
    contextId: context.conversation.id,
    contextType: 'conversation',
    replacePending: true,
    contextJson: { reason, attemptCount },
  };
}

export const daysAfter = (from: Date, days: number): Date => new Date(from.getTime() + days * DAY_MS);
