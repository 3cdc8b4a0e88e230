import type { ToolOutcome } from '../concierge/concierge-model.types';
import type { QuestionTopic } from '../product/product-facts';

/** The member scenarios plus the Innovator's own. */
export const INNOVATOR_SCENARIOS = [
  'general_response',
  'answer_question',
  'clarify',
  'no_message',
  'intro_progress_report',
  'intro_progress_followup',
  'connection_request_acknowledgment',
  'bounty_above_balance',
  'profile_update_acknowledgment',
  'profile_update_prompt',
  'prospect_upload_guidance',
  'credit_funding_offer',
  'credit_funding_acknowledgment',
  'community_response_shared',
  /** One of the Concierge's tools ran (an intro answered, a question published, a goal stored...). */
  'member_tool_acknowledgment',
] as const;
export type InnovatorScenario = (typeof INNOVATOR_SCENARIOS)[number];

/** The Innovator's own tools (the decision may name only these). */
export const INNOVATOR_TOOL_NAMES = [
  'request_connection',
  'update_innovator_profile',
  'upload_prospects',
  'check_intro_progress',
  'request_credit_funding',
] as const;
export type InnovatorToolName = (typeof INNOVATOR_TOOL_NAMES)[number];

/** A tool call as the decision names it; its input is validated by the tool itself. */
export interface InnovatorToolCall {
  name: string;
  input: unknown;
}

export interface InnovatorDecision {
  scenario: InnovatorScenario;
  tools: InnovatorToolCall[];
  questions: QuestionTopic[];
  guidance: string | null;
  /** The reply the decision already wrote (one-call pipeline); used only when no tool shaped the answer. */
  replyTexts: string[];
  /** clarify: the question to ask (the local decider's, from the Concierge's rules). */
  clarifyingQuestion?: string | null;
}

/** The Innovator's re-engagement threads (the Concierge's apply too, through its own flow). */
export const INNOVATOR_THREADS = [
  'intro_progress_update',
  'profile_update_needed',
  'prospect_upload_reminder',
  'credit_funding_needed',
] as const;
export type InnovatorThread = (typeof INNOVATOR_THREADS)[number];

/** The only delays a re-engagement decision may choose. */
export const EXTEND_DAYS = [7, 14, 30, 60, 90] as const;
export type ExtendDays = (typeof EXTEND_DAYS)[number];

export interface InnovatorReengagementDecision {
  shouldMessage: boolean;
  extendDays: ExtendDays;
  threads: InnovatorThread[];
  reason: string;
}

/** One intro as a reply may describe it: real row fields only. */
export interface IntroLine {
  kind: 'intro_opportunity' | 'connection_request' | 'intro_offer';
  status: string;
  personName: string | null;
  company: string | null;
}

/** Everything a reply may say, from the context and the tools' facts: the templates' and the renderer's input. */
export interface InnovatorRenderFacts {
  scenario: InnovatorScenario;
  firstName: string | null;
  questions: QuestionTopic[];
  /** intro_progress_report / _followup: the innovator's intros as stored. */
  intros: IntroLine[];
  prospectsTotal: number;
  /** prospect_upload_guidance: the fresh link and its lifetime. */
  upload: { url: string; expiresInHours: number } | null;
  /** credit_funding_offer: the placeholder link. */
  funding: { placeholderLink: string; amount: number | null } | null;
  availableCredits: number;
  /** connection_request_acknowledgment / bounty_above_balance. */
  connection: { firstName: string | null; bountyCredits: number } | null;
  /** bounty_above_balance: the warm intro bounty an intro offer would have held, when that was refused. */
  refusedOfferBounty: number | null;
  /** profile_update_acknowledgment: the fields written. */
  profileUpdated: string[];
  /** profile_update_prompt: what the profile still lacks. */
  profileMissing: string[];
  /** community_response_shared: first names and summaries of answers to the user's own requests. */
  responses: Array<{ firstName: string | null; summary: string | null; question: string }>;
  /** member_tool_acknowledgment: what the Concierge's tools did. */
  outcomes: ToolOutcome[];
  guidance: string | null;
  clarifyingQuestion: string | null;
  previousReplies: string[];
}
