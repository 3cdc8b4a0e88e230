import type { QuestionTopic } from '../product/product-facts';

/** The Concierge's tools, by the names the model uses. */
export const CONCIERGE_TOOL_NAMES = [
  'publish_community_request',
  'request_solution_research',
  'offer_introduction',
  'accept_intro_opportunity',
  'decline_intro_opportunity',
  'accept_intro_offer',
  'decline_intro_offer',
  'confirm_intro_offer',
  'accept_connection_request',
  'decline_connection_request',
  'store_user_goal',
  'record_community_response',
  'follow_up_on_intro',
] as const;
export type ConciergeToolName = (typeof CONCIERGE_TOOL_NAMES)[number];

export const CONCIERGE_SCENARIOS = [
  'general_response',
  'answer_question',
  'community_request_acknowledgment',
  'solution_research_acknowledgment',
  'intro_opportunity_acknowledgment',
  'intro_offer_acknowledgment',
  'connection_request_acknowledgment',
  'goal_stored_acknowledgment',
  'community_response_acknowledgment',
  'intro_followup_acknowledgment',
  'request_clarification',
  'emoji_reply_only',
  'no_message',
] as const;
export type ConciergeScenario = (typeof CONCIERGE_SCENARIOS)[number];

/** One tool call as the model wrote it; validated by the tool itself before any use. */
export interface ProposedToolCall {
  name: string;
  input: unknown;
}

/** The Concierge's decision (one forced tool call), from either model. */
export interface ConciergeDecision {
  scenario: ConciergeScenario;
  toolCalls: ProposedToolCall[];
  /** A `user_priorities` id to mention "while I have you", when the rules allow it. */
  proactivePriorityId: string | null;
  /** For request_clarification: the question to ask. */
  clarifyingQuestion: string | null;
  questions: QuestionTopic[];
  /** The reply texts (one-call pipeline); empty when the local model decides. */
  replyTexts: string[];
  /** The model read frustration or confusion in the member's texts (the code's own reading is added to it). */
  frustrationDetected: boolean;
}

/** What a tool did, for the reply (names only from the loaded context or the member's own texts). */
export interface ToolOutcome {
  tool: ConciergeToolName;
  /** The person or topic the reply may name. */
  subject: string | null;
}

export interface ConciergeRenderFacts {
  scenario: ConciergeScenario;
  firstName: string | null;
  questions: QuestionTopic[];
  outcomes: ToolOutcome[];
  /** For request_clarification: the question, or the options to choose between. */
  clarification: { question: string | null; options: string[] } | null;
  /** A priority to mention after the answer ("while I have you"). */
  mention: { priorityId: string; text: string } | null;
  previousReplies: string[];
  /** Right after a clarifying question, the member sounds frustrated: the reply apologises first. */
  acknowledgeConfusion?: boolean;
}

/** The re-engagement decision (Call 1 re-engagement). */
export const EXTEND_DAYS = [7, 14, 30, 60, 90] as const;
export type ExtendDays = (typeof EXTEND_DAYS)[number];

export interface ConciergeReengagementDecision {
  shouldMessage: boolean;
  reason: string;
  extendDays: ExtendDays;
  /** Up to 3 `user_priorities` ids the nudge is about. */
  threadPriorityIds: string[];
  replyTexts: string[];
}
