import type { OnboardingProgress, OnboardingStep } from './onboarding-progress';
import type { BouncerScenario } from './bouncer-model.types';

const ASK_FOR: Record<OnboardingStep, BouncerScenario> = {
  referrer: 'ask_for_referrer',
  first_name: 'ask_for_name',
  last_name: 'ask_for_last_name',
  company_and_title: 'ask_for_company_and_title',
  email_verification: 'request_email_verification',
  complete: 'general_response',
};

export function scenarioForStep(step: OnboardingStep): BouncerScenario {
  return ASK_FOR[step];
}

export interface ScenarioInput {
  /** What the model chose. */
  proposed: BouncerScenario;
  /** Progress once this turn's fields are applied. */
  progress: OnboardingProgress;
  /** This turn completes onboarding (first time). */
  completedNow: boolean;
  emailVerifiedAck: boolean;
}

/**
 * The onboarding order is enforced here, not only in the prompt: the reply always asks for the
 * next missing step. The model's choice stands only where the state leaves room for it: silence or
 * a thumbs-up once onboarding is complete (ending a thank-you loop).
 */
export function chooseBouncerScenario(input: ScenarioInput): BouncerScenario {
  if (input.completedNow) return input.emailVerifiedAck ? 'email_verification_received' : 'acknowledge_completion';
  if (input.progress.isComplete) {
    return input.proposed === 'no_message' || input.proposed === 'emoji_reply_only'
      ? input.proposed
      : 'general_response';
  }
  return scenarioForStep(input.progress.step);
}
