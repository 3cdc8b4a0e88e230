import { randomUUID } from 'node:crypto';
import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, idSchema, settlePriority, textSchema, userTexts } from './tool-support';

export interface RecordCommunityResponseInput {
  communityRequestId: string;
  summary: string;
}

/**
 * The member answers a community request in their context. Once per (request, member): an
 * answered request is no longer in the context, so a second answer is refused by the one
 * authorize rule (and the unique index makes a race a no-op).
 */
export const RECORD_COMMUNITY_RESPONSE_TOOL = defineTool<ConciergeContext, RecordCommunityResponseInput, ToolOutcome>({
  name: 'record_community_response',
  description: 'Record the member’s answer to a community request they were asked (from the context).',
  schema: {
    type: 'object',
    properties: {
      community_request_id: idSchema('The request, from the context.'),
      response_summary: textSchema('One or two sentences summing up the answer for the person who asked.'),
    },
    required: ['community_request_id', 'response_summary'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('record_community_response');
    const top = reader.object(raw, '', properties);
    const summary = reader.optionalString(top.response_summary, 'response_summary', 400);
    if (summary === undefined) return reader.fail('response_summary', 'is required');
    return {
      value: { communityRequestId: reader.uuid(top.community_request_id, 'community_request_id'), summary },
      refused: reader.refused,
    };
  },
  refs: (input) => [{ kind: 'community_request', id: input.communityRequestId }],
  validate: (context) => (userTexts(context).join(' ').trim() === '' ? 'no answer in the member’s texts' : null),
  plan(context, input) {
    const request = context.openRequests.find((r) => r.id === input.communityRequestId);
    const responseId = randomUUID();
    return {
      effects: [
        {
          type: 'record_community_response',
          responseId,
          requestId: input.communityRequestId,
          userId: context.user.id,
          responseText: input.summary,
          verbatimAnswer: userTexts(context).join('\n').slice(0, 2000),
        },
        ...settlePriority(context, 'community_request', input.communityRequestId, 'responded'),
      ],
      events: [
        conciergeEvent('community.response_received', 'community_request', input.communityRequestId, {
          requestId: input.communityRequestId,
          responseId,
          responderUserId: context.user.id,
          requestingUserId: request?.requestingUserId ?? null,
        }),
      ],
      facts: { tool: 'record_community_response', subject: null },
    };
  },
});
