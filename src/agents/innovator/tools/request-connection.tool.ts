import { randomUUID } from 'node:crypto';
import { authorizeRefs, defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { InnovatorContext } from '../innovator.context';

export interface RequestConnectionInput {
  introduceeUserId: string;
  introContext: string;
  bountyCredits: number;
}

export interface RequestConnectionFacts {
  connectionRequestId: string;
  introduceeFirstName: string | null;
  bountyCredits: number;
}

/** The refusal reason when the bounty is above what the innovator can still promise. */
export const BOUNTY_ABOVE_BALANCE = 'bounty above the available credits';
export const MAX_BOUNTY_CREDITS = 10_000;

const spec = defineTool<InnovatorContext, RequestConnectionInput, RequestConnectionFacts>({
  name: 'request_connection',
  description:
    'The innovator asked to meet a member named in their context (someone who answered their community request), optionally offering a bounty in credits.',
  schema: {
    type: 'object',
    properties: {
      introducee_user_id: { type: 'string', description: 'The member’s id, exactly as given in the context.' },
      intro_context: { type: 'string', description: 'Why the innovator wants to meet them, in one sentence.' },
      bounty_credits: { type: 'integer', minimum: 0, description: 'Credits offered; 0 when none was stated.' },
    },
    required: ['introducee_user_id', 'intro_context'],
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('request_connection');
    const top = reader.object(raw, '', properties);
    const introduceeUserId = reader.uuid(top.introducee_user_id, 'introducee_user_id');
    const introContext =
      reader.optionalString(top.intro_context, 'intro_context', 500) ?? reader.fail('intro_context', 'is required');
    const bounty = reader.optionalInteger(top.bounty_credits, 'bounty_credits', 0, MAX_BOUNTY_CREDITS) ?? 0;
    return { value: { introduceeUserId, introContext, bountyCredits: bounty }, refused: reader.refused };
  },
  refs: (input) => [{ kind: 'member', id: input.introduceeUserId }],
  plan(context, input) {
    const connectionRequestId = randomUUID();
    const responder = context.ownRequests.flatMap((r) => r.responders).find((r) => r.userId === input.introduceeUserId);
    const { user } = context;
    return {
      effects: [
        {
          type: 'create_connection_request',
          userId: user.id,
          connectionRequestId,
          introduceeUserId: input.introduceeUserId,
          requestorName: [user.firstName, user.lastName].filter((part) => part).join(' ') || null,
          requestorCompany: context.profile?.companyName ?? user.company,
          introContext: input.introContext,
          bountyCredits: input.bountyCredits,
        },
      ],
      events: [
        {
          event_type: 'connection.request_created',
          aggregate_id: connectionRequestId,
          aggregate_type: 'connection_request',
          payload: {
            connectionRequestId,
            requestorUserId: user.id,
            introduceeUserId: input.introduceeUserId,
            bountyCredits: input.bountyCredits,
          },
          created_by: 'innovator_agent',
        },
      ],
      facts: {
        connectionRequestId,
        introduceeFirstName: responder?.firstName ?? null,
        bountyCredits: input.bountyCredits,
      },
    };
  },
});

/**
 * `request_connection`: a `connection_requests` row with the innovator as requestor.
 * Beyond the shared id rule, the bounty may not exceed the credits the innovator can still
 * promise (checked again at commit by the writer).
 */
export const REQUEST_CONNECTION_TOOL: AgentTool<InnovatorContext, RequestConnectionInput, RequestConnectionFacts> = {
  ...spec,
  authorize(context, input) {
    const ids = authorizeRefs(context, spec.refs(input));
    if (!ids.ok) return ids;
    if (input.bountyCredits > Math.max(0, context.availableCredits)) return { ok: false, reason: BOUNTY_ABOVE_BALANCE };
    return { ok: true };
  },
};
