import type { DecisionTool, JsonObjectSchema, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import { QUESTION_TOPICS, toQuestionTopics } from '../product/product-facts';
import {
  EXTEND_DAYS,
  INNOVATOR_SCENARIOS,
  INNOVATOR_THREADS,
  type ExtendDays,
  type InnovatorDecision,
  type InnovatorReengagementDecision,
  type InnovatorThread,
  type InnovatorToolCall,
} from './innovator-model.types';

const MAX_TOOL_CALLS = 3;

/** The Innovator's Call 1: the scenario and the tools to run, each input validated by its own tool. */
export function innovatorDecisionTool(
  tools: ReadonlyArray<{ name: string; schema: JsonObjectSchema }>,
): DecisionTool<InnovatorDecision> {
  return {
    name: 'make_decision',
    description: 'Decide how to answer the innovator’s latest texts and which tools to run. Call it exactly once.',
    inputSchema: {
      type: 'object',
      properties: {
        next_scenario: { type: 'string', enum: [...INNOVATOR_SCENARIOS] },
        tools_to_use: {
          type: 'array',
          maxItems: MAX_TOOL_CALLS,
          description: 'Tools to run, only when the innovator clearly asked for what the tool does.',
          items: {
            type: 'object',
            properties: {
              tool_name: { type: 'string', enum: tools.map((tool) => tool.name) },
              tool_input: {
                type: 'object',
                description: tools.map((tool) => `${tool.name}: ${JSON.stringify(tool.schema.properties)}`).join('\n'),
              },
            },
            required: ['tool_name', 'tool_input'],
            additionalProperties: false,
          },
        },
        questions_asked: { type: 'array', items: { type: 'string', enum: [...QUESTION_TOPICS] } },
        context_for_response: { type: 'string', description: 'One short note for whoever writes the reply.' },
        reply_texts: {
          type: 'array',
          maxItems: 3,
          items: { type: 'string' },
          description:
            'The SMS reply in your voice for next_scenario, when no tool runs (a tool’s result is written after it runs).',
        },
      },
      required: ['next_scenario'],
      additionalProperties: false,
    },
    parse(input: unknown): Parsed<InnovatorDecision> {
      const reader = new ToolInputReader('make_decision');
      const top = reader.object(input, '', [
        'next_scenario',
        'tools_to_use',
        'questions_asked',
        'context_for_response',
        'reply_texts',
      ]);
      const scenario = reader.oneOf(top.next_scenario, 'next_scenario', INNOVATOR_SCENARIOS);
      const calls: InnovatorToolCall[] = [];
      if (top.tools_to_use !== undefined && top.tools_to_use !== null) {
        if (!Array.isArray(top.tools_to_use)) reader.fail('tools_to_use', 'must be an array');
        for (const [index, raw] of (top.tools_to_use as unknown[]).slice(0, MAX_TOOL_CALLS).entries()) {
          const call = reader.object(raw, `tools_to_use.${index}`, ['tool_name', 'tool_input']);
          // A malformed call is refused by the flow (audited), not the whole decision.
          const name = typeof call.tool_name === 'string' ? call.tool_name : '(not a string)';
          calls.push({ name, input: call.tool_input ?? {} });
        }
      }
      const questions = toQuestionTopics(reader.optionalStrings(top.questions_asked, 'questions_asked') ?? []);
      const guidance = reader.optionalString(top.context_for_response, 'context_for_response', 500) ?? null;
      const replyTexts = reader.optionalStrings(top.reply_texts, 'reply_texts', 3) ?? [];
      return { value: { scenario, tools: calls, questions, guidance, replyTexts }, refused: reader.refused };
    },
  };
}

/** The Innovator's re-engagement Call 1. */
export const INNOVATOR_REENGAGEMENT_TOOL: DecisionTool<InnovatorReengagementDecision> = {
  name: 'make_reengagement_decision',
  description: 'Decide whether a proactive text to this innovator is worth sending now. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      should_message: { type: 'boolean' },
      extend_days: { type: 'integer', enum: [...EXTEND_DAYS], description: 'When to check again.' },
      threads_to_address: { type: 'array', maxItems: 3, items: { type: 'string', enum: [...INNOVATOR_THREADS] } },
      reasoning: { type: 'string' },
    },
    required: ['should_message', 'extend_days'],
    additionalProperties: false,
  },
  parse(input: unknown): Parsed<InnovatorReengagementDecision> {
    const reader = new ToolInputReader('make_reengagement_decision');
    const top = reader.object(input, '', ['should_message', 'extend_days', 'threads_to_address', 'reasoning']);
    const shouldMessage = reader.boolean(top.should_message, 'should_message');
    if (!(EXTEND_DAYS as readonly unknown[]).includes(top.extend_days)) {
      reader.fail('extend_days', `must be one of ${EXTEND_DAYS.join(', ')}`);
    }
    const threads = (reader.optionalStrings(top.threads_to_address, 'threads_to_address', 3) ?? []).map((thread) =>
      reader.oneOf(thread, 'threads_to_address', INNOVATOR_THREADS),
    );
    return {
      value: {
        shouldMessage,
        extendDays: top.extend_days as ExtendDays,
        threads: [...new Set<InnovatorThread>(threads)],
        reason: reader.optionalString(top.reasoning, 'reasoning', 300) ?? '',
      },
      refused: reader.refused,
    };
  },
};
