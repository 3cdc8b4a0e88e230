import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, textSchema } from './tool-support';

export const DESIRED_OUTCOMES = ['backchannel', 'introduction', 'quick_thoughts', 'ongoing_advice'] as const;
export const URGENCIES = ['low', 'medium', 'high'] as const;

export interface PublishCommunityRequestInput {
  question: string;
  expertiseNeeded: string[];
  requesterContext: string | null;
  desiredOutcome: (typeof DESIRED_OUTCOMES)[number];
  urgency: (typeof URGENCIES)[number];
  requestSummary: string;
  category: string | null;
}

/** "I want to meet X", "does anyone know...": ask the network (the workflows pick the experts). */
export const PUBLISH_COMMUNITY_REQUEST_TOOL = defineTool<ConciergeContext, PublishCommunityRequestInput, ToolOutcome>({
  name: 'publish_community_request',
  description:
    'Ask the network on the member’s behalf: they want to meet someone, find an expert, or hear from peers. Never for an intro the member offers.',
  schema: {
    type: 'object',
    properties: {
      question: textSchema('The question or ask, in the member’s words.'),
      expertise_needed: { type: 'array', items: { type: 'string' } },
      requester_context: textSchema('Why they ask, if they said.'),
      desired_outcome: { type: 'string', enum: [...DESIRED_OUTCOMES] },
      urgency: { type: 'string', enum: [...URGENCIES] },
      request_summary: textSchema('3 to 5 words.'),
      category: textSchema('A short category.'),
    },
    required: ['question'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('publish_community_request');
    const top = reader.object(raw, '', properties);
    const question = reader.optionalString(top.question, 'question', 500);
    if (question === undefined) return reader.fail('question', 'is required');
    const summary = reader.optionalString(top.request_summary, 'request_summary', 60);
    return {
      value: {
        question,
        expertiseNeeded: reader.optionalStrings(top.expertise_needed, 'expertise_needed', 5) ?? [],
        requesterContext: reader.optionalString(top.requester_context, 'requester_context', 300) ?? null,
        desiredOutcome:
          top.desired_outcome === undefined || top.desired_outcome === null
            ? 'backchannel'
            : reader.oneOf(top.desired_outcome, 'desired_outcome', DESIRED_OUTCOMES),
        urgency:
          top.urgency === undefined || top.urgency === null
            ? 'medium'
            : reader.oneOf(top.urgency, 'urgency', URGENCIES),
        requestSummary: summary ?? question.split(/\s+/).slice(0, 5).join(' '),
        category: reader.optionalString(top.category, 'category', 60) ?? null,
      },
      refused: reader.refused,
    };
  },
  refs: () => [],
  plan(context, input, caller) {
    return {
      effects: [],
      events: [
        conciergeEvent('community.request_needed', 'user', context.user.id, {
          requestingUserId: context.user.id,
          requestingAgentType: caller.agent,
          contextId: context.conversation.id,
          contextType: 'conversation',
          question: input.question,
          expertiseNeeded: input.expertiseNeeded,
          requesterContext: input.requesterContext,
          desiredOutcome: input.desiredOutcome,
          urgency: input.urgency,
          requestSummary: input.requestSummary,
          category: input.category,
        }),
      ],
      facts: { tool: 'publish_community_request', subject: input.requestSummary },
    };
  },
});
