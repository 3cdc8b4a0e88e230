import type {
  BouncerDecision,
  BouncerDecisionInput,
  BouncerReengagementInput,
  BouncerRenderFacts,
  ReengagementDecision,
} from '../bouncer/bouncer-model.types';
import type {
  MemberAgentName,
  MemberDecision,
  MemberDecisionInput,
  MemberRenderFacts,
} from '../member/member-model.types';
import type { DecisionTool, PromptParts } from './model.types';

/**
 * Every decision an agent asks a model for: its structured input (what the local model reads)
 * and its validated output (what both models return).
 */
export interface DecisionKinds {
  bouncer: { input: BouncerDecisionInput; output: BouncerDecision };
  bouncer_reengagement: { input: BouncerReengagementInput; output: ReengagementDecision };
  member: { input: MemberDecisionInput; output: MemberDecision };
}
export type DecisionKind = keyof DecisionKinds;
export type DecisionOf<K extends DecisionKind> = DecisionKinds[K]['output'];

/** Decide: one forced tool call (Claude) or rules over `input` (local). */
export interface DecideRequest<K extends DecisionKind> {
  kind: K;
  input: DecisionKinds[K]['input'];
  prompt: PromptParts;
  tool: DecisionTool<DecisionOf<K>>;
}

/** Render: prose in the agent's voice, one SMS per element. */
export type RenderRequest = { prompt: PromptParts } & (
  { agent: 'bouncer'; facts: BouncerRenderFacts } | { agent: MemberAgentName; facts: MemberRenderFacts }
);
