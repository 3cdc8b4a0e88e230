import type { DecisionTool, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import { QUESTION_TOPICS, toQuestionTopics } from '../product/product-facts';
import {
  BOUNCER_SCENARIOS,
  COLLECTABLE_FIELDS,
  type BouncerDecision,
  type CollectedInfo,
  type Nomination,
} from './bouncer-model.types';

const TOP_LEVEL = ['next_scenario', 'collect_user_info', 'questions_asked', 'context_for_response'] as const;
const NOMINATION_FIELDS = ['name', 'company', 'title', 'linkedin_url'] as const;

const text = (description: string) => ({ type: 'string', description });

/** The Bouncer's Call 1 tool: one forced call returns the whole decision. */
export const BOUNCER_DECISION_TOOL: DecisionTool<BouncerDecision> = {
  name: 'make_decision',
  description:
    'Record what the user just told you about themself and which scenario the reply should follow. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      next_scenario: { type: 'string', enum: [...BOUNCER_SCENARIOS] },
      collect_user_info: {
        type: 'object',
        description:
          'Only facts the user stated about themself in their own messages of this turn. Omit anything not stated.',
        properties: {
          first_name: text('The user’s own first name.'),
          last_name: text('The user’s own last name.'),
          company: text('The company the user works at.'),
          title: text('The user’s job title.'),
          email: text('An email address the user typed.'),
          linkedin_url: text('The user’s LinkedIn profile URL.'),
          expertise: { type: 'array', items: { type: 'string' }, description: 'Areas of expertise the user named.' },
          referrer_name: text('The name of the person who told the user about Yachtparty, as the user wrote it.'),
          nomination: {
            type: 'object',
            description: 'Someone the user offers to introduce to the network.',
            properties: {
              name: text('Full name.'),
              company: text('Company.'),
              title: text('Title.'),
              linkedin_url: text('LinkedIn URL.'),
            },
            required: ['name'],
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      questions_asked: {
        type: 'array',
        items: { type: 'string', enum: [...QUESTION_TOPICS] },
        description: 'Questions the user asked in this turn.',
      },
      context_for_response: text('One short note for whoever writes the reply.'),
    },
    required: ['next_scenario'],
    additionalProperties: false,
  },
  parse: parseBouncerDecision,
};

export function parseBouncerDecision(input: unknown): Parsed<BouncerDecision> {
  const reader = new ToolInputReader('make_decision');
  const top = reader.object(input, '', TOP_LEVEL);
  const scenario = reader.oneOf(top.next_scenario, 'next_scenario', BOUNCER_SCENARIOS);
  const collect: CollectedInfo = {};
  if (top.collect_user_info !== undefined && top.collect_user_info !== null) {
    const info = reader.object(top.collect_user_info, 'collect_user_info', COLLECTABLE_FIELDS);
    for (const field of [
      'first_name',
      'last_name',
      'company',
      'title',
      'email',
      'linkedin_url',
      'referrer_name',
    ] as const) {
      const value = reader.optionalString(info[field], `collect_user_info.${field}`, 200);
      if (value !== undefined) collect[field] = value;
    }
    const expertise = reader.optionalStrings(info.expertise, 'collect_user_info.expertise');
    if (expertise !== undefined) collect.expertise = expertise;
    if (info.nomination !== undefined && info.nomination !== null) {
      const raw = reader.object(info.nomination, 'collect_user_info.nomination', NOMINATION_FIELDS);
      const name = reader.optionalString(raw.name, 'collect_user_info.nomination.name', 200);
      if (name === undefined) return reader.fail('collect_user_info.nomination.name', 'is required');
      const nomination: Nomination = {
        name,
        company: reader.optionalString(raw.company, 'collect_user_info.nomination.company', 200) ?? null,
        title: reader.optionalString(raw.title, 'collect_user_info.nomination.title', 200) ?? null,
        linkedin_url: reader.optionalString(raw.linkedin_url, 'collect_user_info.nomination.linkedin_url', 200) ?? null,
      };
      collect.nomination = nomination;
    }
  }
  const questions = toQuestionTopics(reader.optionalStrings(top.questions_asked, 'questions_asked') ?? []);
  const guidance = reader.optionalString(top.context_for_response, 'context_for_response', 500) ?? null;
  return { value: { scenario, collect, questions, guidance }, refused: reader.refused };
}
