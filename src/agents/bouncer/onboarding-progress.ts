import type { AgentUser, StoredMessage } from '../context/agent-context.types';

/** The Bouncer's onboarding order: each step is asked only once the previous is done. */
export const ONBOARDING_STEPS = [
  'referrer',
  'first_name',
  'last_name',
  'company_and_title',
  'email_verification',
  'complete',
] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

/** What must be known before a user is ready for manual approval; the referrer is optional. */
export const REQUIRED_FIELDS = ['first_name', 'last_name', 'company', 'title', 'email_verified'] as const;
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

export type OnboardingUser = Pick<
  AgentUser,
  'firstName' | 'lastName' | 'company' | 'title' | 'emailVerified' | 'referredBy' | 'nameDropped'
>;

export interface OnboardingProgress {
  step: OnboardingStep;
  missingFields: RequiredField[];
  isComplete: boolean;
  /** A referrer was matched (`referred_by`) or recorded as text (`name_dropped`). */
  referrerKnown: boolean;
}

const blank = (value: string | null): boolean => value === null || value.trim() === '';

/**
 * The referrer question is the Bouncer's first; once the user has answered any Bouncer text, it
 * counts as asked and answered (a user who does not name anyone is not asked again).
 */
export function answeredABouncerText(messages: readonly StoredMessage[]): boolean {
  const firstBouncerText = messages.findIndex((m) => m.direction === 'outbound' && m.role === 'bouncer');
  return firstBouncerText >= 0 && messages.slice(firstBouncerText + 1).some((m) => m.role === 'user');
}

/** The onboarding check, over the user row and the conversation so far. */
export function checkOnboardingProgress(user: OnboardingUser, messages: readonly StoredMessage[]): OnboardingProgress {
  return progressOf(user, answeredABouncerText(messages));
}

/** The same, given whether the referrer question has been answered already. */
export function progressOf(user: OnboardingUser, referrerAnswered: boolean): OnboardingProgress {
  const missingFields = REQUIRED_FIELDS.filter((field) => {
    switch (field) {
      case 'first_name':
        return blank(user.firstName);
      case 'last_name':
        return blank(user.lastName);
      case 'company':
        return blank(user.company);
      case 'title':
        return blank(user.title);
      case 'email_verified':
        return !user.emailVerified;
    }
  });
  const referrerKnown = user.referredBy !== null || !blank(user.nameDropped);
  const missing = new Set<RequiredField>(missingFields);
  let step: OnboardingStep;
  if (!referrerKnown && !referrerAnswered) step = 'referrer';
  else if (missing.has('first_name')) step = 'first_name';
  else if (missing.has('last_name')) step = 'last_name';
  else if (missing.has('company') || missing.has('title')) step = 'company_and_title';
  else if (missing.has('email_verified')) step = 'email_verification';
  else step = 'complete';
  return { step, missingFields, isComplete: missingFields.length === 0, referrerKnown };
}
