import type { AgentPipeline } from '../../config/environment';
import type { DecisionTool, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import { QUESTION_TOPICS, toQuestionTopics } from '../product/product-facts';
import { BOUNCER_SCENARIOS, type BouncerDecision } from './bouncer-model.types';
import { COLLECT_USER_INFO_SCHEMA, readCollectedInfo } from './collect-user-info.tool';

const TOP_LEVEL = [
  'next_scenario',
  'collect_user_info',
  'questions_asked',
  'context_for_response',
  'reply_texts',
] as const;

const text = (description: string) => ({ type: 'string', description });

const PROPERTIES = {
  next_scenario: { type: 'string', enum: [...BOUNCER_SCENARIOS] },
  collect_user_info: COLLECT_USER_INFO_SCHEMA,
  questions_asked: {
    type: 'array',
    items: { type: 'string', enum: [...QUESTION_TOPICS] },
    description: 'Questions the user asked in this turn.',
  },
};

/**
 * The Bouncer's decision in the one-call pipeline (the default): one forced call returns the
 * decision and the reply itself. No note for a reply writer: nobody else writes the reply, and every
 * output token costs time (a Sonnet-class model writes about 70 a second).
 */
export const BOUNCER_DECISION_TOOL: DecisionTool<BouncerDecision> = {
  name: 'make_decision',
  description:
    'Record what the user just told you about themself, which scenario the reply follows, and the reply. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      ...PROPERTIES,
      reply_texts: {
        type: 'array',
        items: { type: 'string' },
        description: 'The SMS texts to send, in your voice, following next_scenario (one text usually, at most three).',
      },
    },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse: parseBouncerDecision,
};

/**
 * The decision of the two-call reference (decide, then render), as the original made it: no reply,
 * a short note for the render call instead.
 */
export const BOUNCER_TWO_CALL_DECISION_TOOL: DecisionTool<BouncerDecision> = {
  name: 'make_decision',
  description:
    'Record what the user just told you about themself and which scenario the reply should follow. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: { ...PROPERTIES, context_for_response: text('One short note for whoever writes the reply.') },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse: parseBouncerDecision,
};

export function bouncerDecisionTool(pipeline: AgentPipeline): DecisionTool<BouncerDecision> {
  return pipeline === 'one_call' ? BOUNCER_DECISION_TOOL : BOUNCER_TWO_CALL_DECISION_TOOL;
}

export function parseBouncerDecision(input: unknown): Parsed<BouncerDecision> {
  const reader = new ToolInputReader('make_decision');
  const top = reader.object(input, '', TOP_LEVEL);
  const scenario = reader.oneOf(top.next_scenario, 'next_scenario', BOUNCER_SCENARIOS);
  const collect = readCollectedInfo(reader, top.collect_user_info, 'collect_user_info');
  const questions = toQuestionTopics(reader.optionalStrings(top.questions_asked, 'questions_asked') ?? []);
  const guidance = reader.optionalString(top.context_for_response, 'context_for_response', 500) ?? null;
  const replyTexts = reader.optionalStrings(top.reply_texts, 'reply_texts', 3) ?? [];
  return { value: { scenario, collect, questions, guidance, replyTexts }, refused: reader.refused };
}
