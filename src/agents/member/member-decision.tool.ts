import type { DecisionTool, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import { QUESTION_TOPICS, toQuestionTopics } from '../product/product-facts';
import { MEMBER_SCENARIOS, type MemberDecision } from './member-model.types';

/** The minimal member agents' Call 1: how to answer, without tools to run. */
export const MEMBER_DECISION_TOOL: DecisionTool<MemberDecision> = {
  name: 'make_decision',
  description: 'Decide how to answer the member’s latest texts. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      next_scenario: { type: 'string', enum: [...MEMBER_SCENARIOS] },
      questions_asked: { type: 'array', items: { type: 'string', enum: [...QUESTION_TOPICS] } },
      context_for_response: { type: 'string', description: 'One short note for whoever writes the reply.' },
    },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse(input: unknown): Parsed<MemberDecision> {
    const reader = new ToolInputReader('make_decision');
    const top = reader.object(input, '', ['next_scenario', 'questions_asked', 'context_for_response']);
    const scenario = reader.oneOf(top.next_scenario, 'next_scenario', MEMBER_SCENARIOS);
    const questions = toQuestionTopics(reader.optionalStrings(top.questions_asked, 'questions_asked') ?? []);
    const guidance = reader.optionalString(top.context_for_response, 'context_for_response', 500) ?? null;
    return { value: { scenario, questions, guidance }, refused: reader.refused };
  },
};
