import type { QuestionTopic } from '../product/product-facts';

export type MemberAgentName = 'concierge' | 'innovator';

/** The minimal member agents' scenarios; priorities, intros and research arrive with their full versions. */
export const MEMBER_SCENARIOS = ['general_response', 'answer_question', 'emoji_reply_only', 'no_message'] as const;
export type MemberScenario = (typeof MEMBER_SCENARIOS)[number];

export interface MemberDecision {
  scenario: MemberScenario;
  questions: QuestionTopic[];
  guidance: string | null;
}

export interface MemberDecisionInput {
  agent: MemberAgentName;
  userTexts: string[];
  emailVerifiedAck: boolean;
}

export interface MemberRenderFacts {
  scenario: MemberScenario;
  firstName: string | null;
  questions: QuestionTopic[];
  emailJustVerified: boolean;
  previousReplies: string[];
}
