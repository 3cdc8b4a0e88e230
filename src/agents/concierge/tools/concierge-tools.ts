import type { AgentTool } from '../../kit/agent-tool';
import type { ConciergeContext } from '../concierge.context';
import type { ConciergeToolName, ToolOutcome } from '../concierge-model.types';
import { ACCEPT_CONNECTION_REQUEST_TOOL, DECLINE_CONNECTION_REQUEST_TOOL } from './connection-request.tools';
import { FOLLOW_UP_ON_INTRO_TOOL } from './follow-up-on-intro.tool';
import { ACCEPT_INTRO_OFFER_TOOL, CONFIRM_INTRO_OFFER_TOOL, DECLINE_INTRO_OFFER_TOOL } from './intro-offer.tools';
import { ACCEPT_INTRO_OPPORTUNITY_TOOL, DECLINE_INTRO_OPPORTUNITY_TOOL } from './intro-opportunity.tools';
import { OFFER_INTRODUCTION_TOOL } from './offer-introduction.tool';
import { PUBLISH_COMMUNITY_REQUEST_TOOL } from './publish-community-request.tool';
import { RECORD_COMMUNITY_RESPONSE_TOOL } from './record-community-response.tool';
import { REQUEST_SOLUTION_RESEARCH_TOOL } from './request-solution-research.tool';
import { STORE_USER_GOAL_TOOL } from './store-user-goal.tool';

// Each tool has its own input type; the registry holds them behind their shared shape.
type AnyConciergeTool = AgentTool<ConciergeContext, never, ToolOutcome>;

/** The Concierge's thirteen tools, by name. */
export const CONCIERGE_TOOLS: ReadonlyMap<
  ConciergeToolName,
  AgentTool<ConciergeContext, unknown, ToolOutcome>
> = new Map(
  (
    [
      PUBLISH_COMMUNITY_REQUEST_TOOL,
      REQUEST_SOLUTION_RESEARCH_TOOL,
      OFFER_INTRODUCTION_TOOL,
      ACCEPT_INTRO_OPPORTUNITY_TOOL,
      DECLINE_INTRO_OPPORTUNITY_TOOL,
      ACCEPT_INTRO_OFFER_TOOL,
      DECLINE_INTRO_OFFER_TOOL,
      CONFIRM_INTRO_OFFER_TOOL,
      ACCEPT_CONNECTION_REQUEST_TOOL,
      DECLINE_CONNECTION_REQUEST_TOOL,
      STORE_USER_GOAL_TOOL,
      RECORD_COMMUNITY_RESPONSE_TOOL,
      FOLLOW_UP_ON_INTRO_TOOL,
    ] as unknown as AnyConciergeTool[]
  ).map((tool) => [
    tool.name as ConciergeToolName,
    tool as unknown as AgentTool<ConciergeContext, unknown, ToolOutcome>,
  ]),
);
