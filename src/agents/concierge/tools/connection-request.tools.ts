import { defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { ConciergeContext } from '../concierge.context';
import type { ToolOutcome } from '../concierge-model.types';
import { conciergeEvent, idSchema, settlePriority, textSchema } from './tool-support';

export interface ConnectionRequestAnswer {
  connectionRequestId: string;
  reason: string | null;
}

function answerTool(
  name: 'accept_connection_request' | 'decline_connection_request',
): AgentTool<ConciergeContext, ConnectionRequestAnswer, ToolOutcome> {
  const accept = name === 'accept_connection_request';
  return defineTool<ConciergeContext, ConnectionRequestAnswer, ToolOutcome>({
    name,
    description: accept
      ? 'The member agrees to meet someone who asked to meet them ("X wants to meet you").'
      : 'The member declines to meet someone who asked to meet them.',
    schema: {
      type: 'object',
      properties: {
        connection_request_id: idSchema('The connection request, from the context.'),
        reason: textSchema('Why, if the member said.'),
      },
      required: ['connection_request_id'],
      additionalProperties: false,
    },
    parse(raw, properties) {
      const reader = new ToolInputReader(name);
      const top = reader.object(raw, '', properties);
      return {
        value: {
          connectionRequestId: reader.uuid(top.connection_request_id, 'connection_request_id'),
          reason: reader.optionalString(top.reason, 'reason', 300) ?? null,
        },
        refused: reader.refused,
      };
    },
    refs: (input) => [{ kind: 'connection_request', id: input.connectionRequestId }],
    plan(context, input) {
      const request = context.connectionRequests.find((c) => c.id === input.connectionRequestId);
      return {
        effects: [
          {
            type: 'answer_connection_request',
            userId: context.user.id,
            connectionRequestId: input.connectionRequestId,
            status: accept ? 'accepted' : 'declined',
          },
          ...settlePriority(context, 'connection_request', input.connectionRequestId, 'actioned'),
        ],
        events: [
          conciergeEvent(
            accept ? 'connection.request_accepted' : 'connection.request_declined',
            'connection_request',
            input.connectionRequestId,
            {
              connectionRequestId: input.connectionRequestId,
              requestorUserId: request?.requestorUserId ?? null,
              introduceeUserId: context.user.id,
            },
          ),
        ],
        facts: { tool: name, subject: request?.requestorName ?? null },
      };
    },
  });
}

export const ACCEPT_CONNECTION_REQUEST_TOOL = answerTool('accept_connection_request');
export const DECLINE_CONNECTION_REQUEST_TOOL = answerTool('decline_connection_request');
