import type { AgentEffect } from '../effects/agent-effect.types';
import type { BouncerContext } from './bouncer.context';
import type { OnboardingProgress, OnboardingStep } from './onboarding-progress';

export const RE_ENGAGEMENT_TASK = 're_engagement_check';
/** at most two nudges, a day apart, then the Bouncer stops asking. */
export const MAX_BOUNCER_NUDGES = 2;
/** A newer nudge supersedes an older one still queued. */
export const BOUNCER_NUDGE_SUBJECT = 're_engagement:bouncer';
const NUDGE_DELAY_MS = 24 * 60 * 60 * 1000;

/** The next `re_engagement_check` of an incomplete onboarding, replacing any pending one. */
export function reengagementTask(
  context: BouncerContext,
  progress: OnboardingProgress,
  attemptCount: number,
): AgentEffect {
  return {
    type: 'create_agent_task',
    userId: context.user.id,
    taskType: RE_ENGAGEMENT_TASK,
    agentType: 'bouncer',
    scheduledFor: new Date(context.now.getTime() + NUDGE_DELAY_MS),
    contextId: context.conversation.id,
    contextType: 'conversation',
    replacePending: true,
    contextJson: {
      current_step: progress.step satisfies OnboardingStep,
      missing_fields: progress.missingFields,
      last_interaction_at: context.now.toISOString(),
      attemptCount,
    },
  };
}

export function cancelReengagement(context: BouncerContext): AgentEffect {
  return { type: 'cancel_agent_tasks', userId: context.user.id, taskType: RE_ENGAGEMENT_TASK };
}
