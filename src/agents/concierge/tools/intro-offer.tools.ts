import { defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, idSchema, settlePriority, textSchema } from './tool-support';

export interface IntroOfferAnswer {
  introOfferId: string;
  reason: string | null;
}

type OfferToolName = 'accept_intro_offer' | 'decline_intro_offer' | 'confirm_intro_offer';

const DESCRIPTIONS: Record<OfferToolName, string> = {
  accept_intro_offer: 'The member accepts an intro another member offered to make for them.',
  decline_intro_offer: 'The member declines an intro another member offered to make for them.',
  confirm_intro_offer: 'The member confirms they made an intro they had offered (after the other side accepted).',
};

function offerTool(name: OfferToolName): AgentTool<ConciergeContext, IntroOfferAnswer, ToolOutcome> {
  const kind = name === 'confirm_intro_offer' ? 'intro_offer_to_confirm' : 'intro_offer_to_answer';
  return defineTool<ConciergeContext, IntroOfferAnswer, ToolOutcome>({
    name,
    description: DESCRIPTIONS[name],
    schema: {
      type: 'object',
      properties: {
        intro_offer_id: idSchema('The intro offer, from the context.'),
        reason: textSchema('Why, if the member said.'),
      },
      required: ['intro_offer_id'],
      additionalProperties: false,
    },
    parse(raw, properties) {
      const reader = new ToolInputReader(name);
      const top = reader.object(raw, '', properties);
      return {
        value: {
          introOfferId: reader.uuid(top.intro_offer_id, 'intro_offer_id'),
          reason: reader.optionalString(top.reason, 'reason', 300) ?? null,
        },
        refused: reader.refused,
      };
    },
    refs: (input) => [{ kind, id: input.introOfferId }],
    plan(context, input) {
      const offer = context.introOffers.find((o) => o.id === input.introOfferId);
      const offeringUserId = offer?.offeringUserId ?? null;
      const introduceeUserId = offer?.introduceeUserId ?? null;
      // accepting an offer carries the introducee's warm-intro bounty when they are an innovator.
      const bountyCredits =
        name === 'accept_intro_offer' ? (context.ownWarmIntroBounty ?? 0) : (offer?.bountyCredits ?? 0);
      const event = {
        accept_intro_offer: 'intro.offer_accepted',
        decline_intro_offer: 'intro.offer_declined',
        confirm_intro_offer: 'intro.offer_confirmed',
      }[name];
      return {
        effects: [
          name === 'confirm_intro_offer'
            ? { type: 'confirm_intro_offer', userId: context.user.id, introOfferId: input.introOfferId }
            : {
                type: 'answer_intro_offer',
                userId: context.user.id,
                introOfferId: input.introOfferId,
                status: name === 'accept_intro_offer' ? 'pending_connector_confirmation' : 'declined',
                bountyCredits,
              },
          ...settlePriority(context, 'intro_offer', input.introOfferId, 'actioned'),
        ],
        events: [
          conciergeEvent(event, 'intro_offer', input.introOfferId, {
            introOfferId: input.introOfferId,
            offeringUserId,
            introduceeUserId,
            bountyCredits,
          }),
        ],
        facts: { tool: name, subject: offer?.prospectName ?? null },
      };
    },
  });
}

export const ACCEPT_INTRO_OFFER_TOOL = offerTool('accept_intro_offer');
export const DECLINE_INTRO_OFFER_TOOL = offerTool('decline_intro_offer');
export const CONFIRM_INTRO_OFFER_TOOL = offerTool('confirm_intro_offer');
