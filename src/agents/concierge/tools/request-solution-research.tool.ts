import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { URGENCIES } from './publish-community-request.tool';
import { conciergeEvent, textSchema } from './tool-support';

export interface RequestSolutionResearchInput {
  requestDescription: string;
  category: string | null;
  urgency: (typeof URGENCIES)[number];
}

/** "Can you find a vendor for...": research a solution (the workflows run it). */
export const REQUEST_SOLUTION_RESEARCH_TOOL = defineTool<ConciergeContext, RequestSolutionResearchInput, ToolOutcome>({
  name: 'request_solution_research',
  description: 'Start research on a product, vendor or solution the member is looking for.',
  schema: {
    type: 'object',
    properties: {
      request_description: textSchema('What they need, in their words.'),
      category: textSchema('A short category.'),
      urgency: { type: 'string', enum: [...URGENCIES] },
    },
    required: ['request_description'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('request_solution_research');
    const top = reader.object(raw, '', properties);
    const requestDescription = reader.optionalString(top.request_description, 'request_description', 500);
    if (requestDescription === undefined) return reader.fail('request_description', 'is required');
    return {
      value: {
        requestDescription,
        category: reader.optionalString(top.category, 'category', 60) ?? null,
        urgency:
          top.urgency === undefined || top.urgency === null
            ? 'medium'
            : reader.oneOf(top.urgency, 'urgency', URGENCIES),
      },
      refused: reader.refused,
    };
  },
  refs: () => [],
  plan(context, input) {
    return {
      effects: [],
      events: [
        conciergeEvent('user.inquiry.solution_needed', 'user', context.user.id, {
          userId: context.user.id,
          conversationId: context.conversation.id,
          requestDescription: input.requestDescription,
          category: input.category,
          urgency: input.urgency,
        }),
      ],
      facts: { tool: 'request_solution_research', subject: null },
    };
  },
});
