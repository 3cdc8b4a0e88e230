import type { OnboardingStep, OnboardingUser } from './onboarding-progress';
import type { QuestionTopic } from '../product/product-facts';

/** Bouncer scenarios (`next_scenario`). */
export const BOUNCER_SCENARIOS = [
  'ask_for_referrer',
  'ask_for_name',
  'ask_for_last_name',
  'ask_for_company_and_title',
  'request_email_verification',
  'email_verification_received',
  'acknowledge_completion',
  'general_response',
  'emoji_reply_only',
  'no_message',
] as const;
export type BouncerScenario = (typeof BOUNCER_SCENARIOS)[number];

/** Keys `collect_user_info` accepts; everything else (verified, poc_agent_type, ids...) is refused. */
export const COLLECTABLE_FIELDS = [
  'first_name',
  'last_name',
  'company',
  'title',
  'email',
  'linkedin_url',
  'expertise',
  'referrer_name',
  'nomination',
] as const;
export type CollectableField = (typeof COLLECTABLE_FIELDS)[number];

/** Someone the user offers to introduce (`collect_user_info.nomination`). */
export interface Nomination {
  name: string;
  company: string | null;
  title: string | null;
  linkedin_url: string | null;
}

/** What the user told us this turn, as the model read it; not yet validated as values. */
export interface CollectedInfo {
  first_name?: string;
  last_name?: string;
  company?: string;
  title?: string;
  email?: string;
  linkedin_url?: string;
  expertise?: string[];
  referrer_name?: string;
  nomination?: Nomination;
}

/** The Bouncer's decision (Call 1), from either model. */
export interface BouncerDecision {
  scenario: BouncerScenario;
  collect: CollectedInfo;
  /** Questions the user asked, answered with the fixed facts. */
  questions: QuestionTopic[];
  /** A short note for the render step (Claude only; never shown to the user as such). */
  guidance: string | null;
  /** The reply the decision wrote (one-call pipeline); empty when the local model decides. */
  replyTexts: string[];
}

/** The structured input the local model decides from (Claude reads the same facts from the prompt). */
export interface BouncerDecisionInput {
  /** The user row's onboarding fields before this turn. */
  known: OnboardingUser;
  /** The user has answered a Bouncer text before (so the referrer question is behind them). */
  referrerAnswered: boolean;
  /** What the Bouncer's last text asked for; null before its first text. */
  awaiting: OnboardingStep | null;
  userTexts: string[];
  emailVerifiedAck: boolean;
  /** Onboarding was already reported complete (ready for approval). */
  alreadyComplete: boolean;
}

/** The re-engagement decision: nudge now or stay quiet. */
export interface ReengagementDecision {
  send: boolean;
  reason: string;
}

export interface BouncerReengagementInput {
  step: OnboardingStep;
  attemptCount: number;
  /** The user's last words, if any, to judge whether they asked for time. */
  lastUserText: string | null;
}

/** What the reply must say; the local model renders it from templates, Claude from the prompt. */
export interface BouncerRenderFacts {
  scenario: BouncerScenario;
  /** The user's first name, once known. */
  firstName: string | null;
  /** Fields captured this turn, to acknowledge briefly. */
  acknowledged: CollectableField[];
  /** The referrer's name exactly as the user wrote it (never a member's full name from the database). */
  referrerName: string | null;
  questions: QuestionTopic[];
  /** Set for `request_email_verification`: the one address the reply may contain. */
  verificationAddress: string | null;
  /** The email webhook confirmed the user's address this turn. */
  emailJustVerified: boolean;
  /** A re-engagement nudge rather than an answer. */
  nudge: boolean;
  /** Earlier Bouncer texts, so a reply never repeats one verbatim. */
  previousReplies: string[];
  /** The decision's note for the render call (two-call pipeline only). */
  guidance?: string | null;
}
