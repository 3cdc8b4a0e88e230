import { randomUUID } from 'node:crypto';
import { defineTool } from '../../kit/agent-tool';
import { statedIn } from '../../kit/stated-in';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, idSchema, textSchema, userTexts } from './tool-support';

export interface OfferIntroductionInput {
  communityRequestId: string;
  prospectName: string;
  prospectCompany: string | null;
  prospectTitle: string | null;
  context: string | null;
}

/**
 * "I can introduce you to X": the member offers an intro to the member behind a request in their
 * context (the introducee comes from that request, never from the model). The prospect's name must
 * be in the member's own texts.
 */
export const OFFER_INTRODUCTION_TOOL = defineTool<ConciergeContext, OfferIntroductionInput, ToolOutcome>({
  name: 'offer_introduction',
  description:
    'The member offers to introduce someone they know ("I can intro you to X") to the member behind a community request in context.',
  schema: {
    type: 'object',
    properties: {
      community_request_id: idSchema('The request (from the context) the offer answers.'),
      prospect_name: textSchema('The person the member can introduce, as the member wrote it.'),
      prospect_company: textSchema('Their company, if the member said.'),
      prospect_title: textSchema('Their title, if the member said.'),
      context: textSchema('Anything the member said about the connection.'),
    },
    required: ['community_request_id', 'prospect_name'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('offer_introduction');
    const top = reader.object(raw, '', properties);
    const prospectName = reader.optionalString(top.prospect_name, 'prospect_name', 100);
    if (prospectName === undefined) return reader.fail('prospect_name', 'is required');
    return {
      value: {
        communityRequestId: reader.uuid(top.community_request_id, 'community_request_id'),
        prospectName,
        prospectCompany: reader.optionalString(top.prospect_company, 'prospect_company', 100) ?? null,
        prospectTitle: reader.optionalString(top.prospect_title, 'prospect_title', 100) ?? null,
        context: reader.optionalString(top.context, 'context', 300) ?? null,
      },
      refused: reader.refused,
    };
  },
  refs: (input) => [{ kind: 'community_request', id: input.communityRequestId }],
  validate(context, input) {
    const stated = statedIn(userTexts(context));
    if (!stated(input.prospectName)) return "prospect_name is not in the member's texts";
    const request = context.openRequests.find((r) => r.id === input.communityRequestId);
    if (!request?.requestingUserId) return 'the request has no member behind it';
    return null;
  },
  plan(context, input) {
    const request = context.openRequests.find((r) => r.id === input.communityRequestId);
    const introduceeUserId = request?.requestingUserId ?? '';
    const introOfferId = randomUUID();
    return {
      effects: [
        {
          type: 'create_intro_offer',
          introOfferId,
          userId: context.user.id,
          introduceeUserId,
          prospectName: input.prospectName,
          prospectCompany: input.prospectCompany,
          prospectTitle: input.prospectTitle,
          prospectContext: input.context,
          contextType: 'community_request',
          contextId: input.communityRequestId,
        },
      ],
      events: [
        conciergeEvent('intro.offer_created', 'intro_offer', introOfferId, {
          introOfferId,
          offeringUserId: context.user.id,
          introduceeUserId,
          prospectName: input.prospectName,
          prospectCompany: input.prospectCompany,
          context: input.context,
        }),
      ],
      facts: { tool: 'offer_introduction', subject: input.prospectName },
    };
  },
});
