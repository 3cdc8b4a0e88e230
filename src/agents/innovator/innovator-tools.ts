import { CONCIERGE_TOOLS } from '../concierge/tools/concierge-tools';
import type { AgentTool } from '../kit/agent-tool';
import type { InnovatorContext } from './innovator.context';
import { CHECK_INTRO_PROGRESS_TOOL } from './tools/check-intro-progress.tool';
import { REQUEST_CONNECTION_TOOL } from './tools/request-connection.tool';
import { REQUEST_CREDIT_FUNDING_TOOL } from './tools/request-credit-funding.tool';
import { UPDATE_INNOVATOR_PROFILE_TOOL } from './tools/update-innovator-profile.tool';
import { UPLOAD_PROSPECTS_TOOL } from './tools/upload-prospects.tool';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInnovatorTool = AgentTool<InnovatorContext, any, any>;

/** The Innovator's own five tools. */
export const OWN_TOOLS: readonly AnyInnovatorTool[] = [
  CHECK_INTRO_PROGRESS_TOOL,
  UPDATE_INNOVATOR_PROFILE_TOOL,
  UPLOAD_PROSPECTS_TOOL,
  REQUEST_CREDIT_FUNDING_TOOL,
  REQUEST_CONNECTION_TOOL,
];

/**
 * Every tool the Innovator's decision may name: its own five and the Concierge's thirteen, imported
 * as they are (an InnovatorContext is a ConciergeContext, so their id rules hold unchanged).
 */
export const INNOVATOR_TOOLS: ReadonlyMap<string, AnyInnovatorTool> = new Map(
  [...OWN_TOOLS, ...CONCIERGE_TOOLS.values()].map((tool): [string, AnyInnovatorTool] => [tool.name, tool]),
);

export const isOwnTool = (name: string): boolean => OWN_TOOLS.some((tool) => tool.name === name);
