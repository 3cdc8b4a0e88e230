import type { DecisionTool, PromptParts } from './model.types';

/**
 * What an agent asks a model for. The port knows no agent: each request carries its own
 * `local` answer, the deterministic rules the agent keeps beside it (its local decider or its
 * templates), which the local model returns and Claude ignores.
 */

/** Decide: one forced tool call (Claude) or the agent's local decider (local). */
export interface DecideRequest<T> {
  /** For logs and errors, e.g. `bouncer.decide`. */
  purpose: string;
  prompt: PromptParts;
  tool: DecisionTool<T>;
  /** The local model's decision, from the same structured facts the prompt describes. */
  local: () => T;
}

/** Render: prose in the agent's voice, one SMS per element. */
export interface RenderRequest {
  purpose: string;
  prompt: PromptParts;
  /** The local model's texts: the agent's templates over the same facts. */
  local: () => string[];
}
