import type { AgentPipeline } from '../../config/environment';
import type { DecisionTool, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import { QUESTION_TOPICS, toQuestionTopics } from '../product/product-facts';
import {
  CONCIERGE_SCENARIOS,
  CONCIERGE_TOOL_NAMES,
  EXTEND_DAYS,
  type ConciergeDecision,
  type ConciergeReengagementDecision,
  type ExtendDays,
  type ProposedToolCall,
} from './concierge-model.types';

const TOP_LEVEL = [
  'next_scenario',
  'tool_calls',
  'proactive_priority_id',
  'clarifying_question',
  'questions_asked',
  'frustration_detected',
  'reply_texts',
] as const;

const PROPERTIES = {
  next_scenario: { type: 'string', enum: [...CONCIERGE_SCENARIOS] },
  tool_calls: {
    type: 'array',
    maxItems: 3,
    description: 'Tools to run, in order. Empty when the message asks for no action or is ambiguous.',
    items: {
      type: 'object',
      properties: {
        name: { type: 'string', enum: [...CONCIERGE_TOOL_NAMES] },
        input: {
          type: 'object',
          description: 'The input of that tool, per the tool input schemas in the instructions.',
        },
      },
      required: ['name', 'input'],
      additionalProperties: false,
    },
  },
  proactive_priority_id: {
    type: 'string',
    description: 'The id of one priority to mention after the answer ("While I have you..."), only if the rules allow.',
  },
  questions_asked: { type: 'array', items: { type: 'string', enum: [...QUESTION_TOPICS] } },
  frustration_detected: {
    type: 'boolean',
    description: 'Only when true: the member sounds frustrated or confused by you.',
  },
};

/**
 * One forced call decides everything: scenario, tools with their inputs, the mention, and the
 * reply (the one-call pipeline, the default). A clarification is the reply itself, never restated
 * in another field: every output token costs time.
 */
export const CONCIERGE_DECISION_TOOL: DecisionTool<ConciergeDecision> = {
  name: 'make_decision',
  description:
    'Decide how to answer the member: which tools to run (with their inputs), the scenario, and the reply texts. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      ...PROPERTIES,
      reply_texts: {
        type: 'array',
        items: { type: 'string' },
        description:
          'The SMS texts to send, in order (at most three), assuming the tools succeed. For request_clarification, the one question.',
      },
    },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse: parseConciergeDecision,
};

/** The decision of the two-call reference: no reply (a render call writes it), the clarifying question instead. */
export const CONCIERGE_TWO_CALL_DECISION_TOOL: DecisionTool<ConciergeDecision> = {
  name: 'make_decision',
  description:
    'Decide how to answer the member: which tools to run (with their inputs) and the scenario. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      ...PROPERTIES,
      clarifying_question: { type: 'string', description: 'For request_clarification: the one question to ask.' },
    },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse: parseConciergeDecision,
};

export function conciergeDecisionTool(pipeline: AgentPipeline): DecisionTool<ConciergeDecision> {
  return pipeline === 'one_call' ? CONCIERGE_DECISION_TOOL : CONCIERGE_TWO_CALL_DECISION_TOOL;
}

function parseConciergeDecision(input: unknown): Parsed<ConciergeDecision> {
  const reader = new ToolInputReader('make_decision');
  const top = reader.object(input, '', TOP_LEVEL);
  const scenario = reader.oneOf(top.next_scenario, 'next_scenario', CONCIERGE_SCENARIOS);
  const toolCalls: ProposedToolCall[] = [];
  if (top.tool_calls !== undefined && top.tool_calls !== null) {
    if (!Array.isArray(top.tool_calls)) reader.fail('tool_calls', 'must be an array');
    for (const [index, raw] of (top.tool_calls as unknown[]).slice(0, 3).entries()) {
      const call = reader.object(raw, `tool_calls.${index}`, ['name', 'input']);
      // Unknown names are kept: the turn refuses and audits them, and still answers.
      const name = reader.optionalString(call.name, `tool_calls.${index}.name`, 100) ?? '';
      toolCalls.push({ name, input: call.input ?? {} });
    }
  }
  const proactive = reader.optionalString(top.proactive_priority_id, 'proactive_priority_id', 100) ?? null;
  const clarifyingQuestion = reader.optionalString(top.clarifying_question, 'clarifying_question', 300) ?? null;
  const questions = toQuestionTopics(reader.optionalStrings(top.questions_asked, 'questions_asked') ?? []);
  const replyTexts = reader.optionalStrings(top.reply_texts, 'reply_texts', 3) ?? [];
  const frustrationDetected = top.frustration_detected === true;
  return {
    value: {
      scenario,
      toolCalls,
      proactivePriorityId: proactive,
      clarifyingQuestion,
      questions,
      replyTexts,
      frustrationDetected,
    },
    refused: reader.refused,
  };
}

/** The member re-engagement decision: message or not, when to look again, which threads. */
export const CONCIERGE_REENGAGEMENT_TOOL: DecisionTool<ConciergeReengagementDecision> = {
  name: 'make_decision',
  description: 'Decide whether to send the member a short proactive text now, and when to check again.',
  inputSchema: {
    type: 'object',
    properties: {
      should_message: { type: 'boolean' },
      reasoning: { type: 'string' },
      extend_days: { type: 'integer', enum: [...EXTEND_DAYS], description: 'Days until the next check.' },
      threads_to_address: {
        type: 'array',
        maxItems: 3,
        items: { type: 'string' },
        description: 'Ids of the priorities the text is about (from the list in the instructions).',
      },
      reply_texts: { type: 'array', items: { type: 'string' }, description: 'The texts, when should_message.' },
    },
    required: ['should_message', 'reasoning'],
    additionalProperties: false,
  },
  parse(input: unknown): Parsed<ConciergeReengagementDecision> {
    const reader = new ToolInputReader('make_decision');
    const top = reader.object(input, '', [
      'should_message',
      'reasoning',
      'extend_days',
      'threads_to_address',
      'reply_texts',
    ]);
    const shouldMessage = reader.boolean(top.should_message, 'should_message');
    const reason = reader.optionalString(top.reasoning, 'reasoning', 300) ?? '';
    let extendDays: ExtendDays = 30;
    if (top.extend_days !== undefined && top.extend_days !== null) {
      if (!(EXTEND_DAYS as readonly unknown[]).includes(top.extend_days)) {
        reader.fail('extend_days', `must be one of ${EXTEND_DAYS.join(', ')}`);
      }
      extendDays = top.extend_days as ExtendDays;
    }
    const threadPriorityIds = reader.optionalStrings(top.threads_to_address, 'threads_to_address', 3) ?? [];
    const replyTexts = reader.optionalStrings(top.reply_texts, 'reply_texts', 3) ?? [];
    return { value: { shouldMessage, reason, extendDays, threadPriorityIds, replyTexts }, refused: reader.refused };
  },
};
