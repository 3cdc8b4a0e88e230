import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { textSchema, userTexts } from './tool-support';

const GOAL_CHECK_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 3);

export interface StoreUserGoalInput {
  goal: string;
}

/**
 * The member states a goal ("I'm trying to hire a CFO this quarter"): kept in
 * `response_pattern.user_goal`, with a check-in 30 days out. The goal must be mostly the member's
 * own words (the model may condense, not invent); that is this version's scope check.
 */
export const STORE_USER_GOAL_TOOL = defineTool<ConciergeContext, StoreUserGoalInput, ToolOutcome>({
  name: 'store_user_goal',
  description: 'Remember a business goal the member stated (what they are trying to achieve).',
  schema: {
    type: 'object',
    properties: { goal: textSchema('The goal, close to the member’s own words.') },
    required: ['goal'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('store_user_goal');
    const top = reader.object(raw, '', properties);
    const goal = reader.optionalString(top.goal, 'goal', 300);
    if (goal === undefined || goal.length < 8) return reader.fail('goal', 'is required (8 to 300 characters)');
    return { value: { goal }, refused: reader.refused };
  },
  refs: () => [],
  validate(context, input) {
    const written = new Set(words(userTexts(context).join(' ')));
    const goalWords = words(input.goal);
    const stated = goalWords.filter((word) => written.has(word)).length;
    return goalWords.length > 0 && stated / goalWords.length >= 0.6 ? null : "the goal is not in the member's texts";
  },
  plan(context, input) {
    return {
      effects: [
        { type: 'store_user_goal', userId: context.user.id, goal: input.goal },
        {
          type: 'create_agent_task',
          userId: context.user.id,
          taskType: 're_engagement_check',
          agentType: 'concierge',
          scheduledFor: new Date(context.now.getTime() + GOAL_CHECK_DAYS * DAY_MS),
          contextId: context.conversation.id,
          contextType: 'conversation',
          replacePending: true,
          contextJson: { reason: 'goal_check_in', goal: input.goal, attemptCount: 1 },
        },
      ],
      events: [],
      facts: { tool: 'store_user_goal', subject: null },
    };
  },
});
