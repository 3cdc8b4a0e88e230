import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { idSchema } from './tool-support';

export interface FollowUpOnIntroInput {
  introId: string;
}

/**
 * "Any news on my intro to Jane?": asks the workflows where one of the member's own intros stands
 * (`user.intro_inquiry`); they text the member its state. The model names only the intro's id: its
 * type comes from the context row, and the one authorize rule admits only the member's own intros
 * (`own_intro`, loaded with the party rule). The writer checks the party again at commit and keys the
 * event to the turn, so a turn committed twice asks once.
 */
export const FOLLOW_UP_ON_INTRO_TOOL = defineTool<ConciergeContext, FollowUpOnIntroInput, ToolOutcome>({
  name: 'follow_up_on_intro',
  description:
    'The member asks where one of their own intros stands (listed under intros they may ask about): check on it; they get its status by text.',
  schema: {
    type: 'object',
    properties: { intro_id: idSchema('The intro, from the intros they may ask about.') },
    required: ['intro_id'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('follow_up_on_intro');
    const top = reader.object(raw, '', properties);
    return { value: { introId: reader.uuid(top.intro_id, 'intro_id') }, refused: reader.refused };
  },
  refs: (input) => [{ kind: 'own_intro', id: input.introId }],
  plan(context, input, caller) {
    const intro = context.ownIntros.find((i) => i.id === input.introId.toLowerCase());
    // Authorized ids are loaded rows, so the intro is there; a miss would be a bug, not the model's.
    if (!intro) throw new Error('an authorized intro is missing from the context');
    const turnMessage = context.turnMessages[context.turnMessages.length - 1];
    return {
      effects: [
        {
          type: 'request_intro_followup',
          userId: context.user.id,
          introType: intro.introType,
          introId: intro.id,
          turnMessageId: turnMessage.id,
          createdBy: `${caller.agent}_agent`,
        },
      ],
      events: [],
      facts: { tool: 'follow_up_on_intro', subject: intro.personName },
    };
  },
});
