import type { DecisionTool, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import type { ReengagementDecision } from './bouncer-model.types';

/** The Bouncer's re-engagement Call 1: nudge now, or let the user be. */
export const REENGAGEMENT_DECISION_TOOL: DecisionTool<ReengagementDecision> = {
  name: 'make_decision',
  description: 'Decide whether to send one short nudge to a user who stopped answering during onboarding.',
  inputSchema: {
    type: 'object',
    properties: {
      send_message: { type: 'boolean', description: 'True to send a nudge now, false to stay quiet.' },
      reasoning: { type: 'string', description: 'One sentence on why.' },
    },
    required: ['send_message', 'reasoning'],
    additionalProperties: false,
  },
  parse(input: unknown): Parsed<ReengagementDecision> {
    const reader = new ToolInputReader('make_decision');
    const top = reader.object(input, '', ['send_message', 'reasoning']);
    const send = reader.boolean(top.send_message, 'send_message');
    const reason = reader.optionalString(top.reasoning, 'reasoning', 300) ?? '';
    return { value: { send, reason }, refused: reader.refused };
  },
};
