import { defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, idSchema, settlePriority, textSchema } from './tool-support';

export interface IntroOpportunityAnswer {
  introOpportunityId: string;
  note: string | null;
}

function answerTool(
  name: 'accept_intro_opportunity' | 'decline_intro_opportunity',
): AgentTool<ConciergeContext, IntroOpportunityAnswer, ToolOutcome> {
  const accept = name === 'accept_intro_opportunity';
  return defineTool<ConciergeContext, IntroOpportunityAnswer, ToolOutcome>({
    name,
    description: accept
      ? 'The member agrees to make a system-proposed intro (an intro opportunity in context).'
      : 'The member passes on a system-proposed intro (an intro opportunity in context).',
    schema: {
      type: 'object',
      properties: {
        intro_opportunity_id: idSchema('The intro opportunity, from the context.'),
        note: textSchema(accept ? 'Anything the member added.' : 'Why, if the member said.'),
      },
      required: ['intro_opportunity_id'],
      additionalProperties: false,
    },
    parse(raw, properties) {
      const reader = new ToolInputReader(name);
      const top = reader.object(raw, '', properties);
      return {
        value: {
          introOpportunityId: reader.uuid(top.intro_opportunity_id, 'intro_opportunity_id'),
          note: reader.optionalString(top.note, 'note', 300) ?? null,
        },
        refused: reader.refused,
      };
    },
    refs: (input) => [{ kind: 'intro_opportunity', id: input.introOpportunityId }],
    plan(context, input) {
      const opportunity = context.introOpportunities.find((o) => o.id === input.introOpportunityId);
      return {
        effects: [
          {
            type: 'answer_intro_opportunity',
            userId: context.user.id,
            introOpportunityId: input.introOpportunityId,
            status: accept ? 'accepted' : 'rejected',
            connectorResponse: input.note,
          },
          ...settlePriority(context, 'intro_opportunity', input.introOpportunityId, 'actioned'),
        ],
        events: [
          conciergeEvent(
            accept ? 'intro.opportunity_accepted' : 'intro.opportunity_declined',
            'intro_opportunity',
            input.introOpportunityId,
            {
              introOpportunityId: input.introOpportunityId,
              connectorUserId: context.user.id,
              innovatorId: opportunity?.innovatorId ?? null,
              ...(accept ? {} : { reason: input.note }),
            },
          ),
        ],
        facts: { tool: name, subject: opportunity?.prospectName ?? null },
      };
    },
  });
}

export const ACCEPT_INTRO_OPPORTUNITY_TOOL = answerTool('accept_intro_opportunity');
export const DECLINE_INTRO_OPPORTUNITY_TOOL = answerTool('decline_intro_opportunity');
