import type { DecideRequest, DecisionKind, DecisionOf, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions } from './model.types';

/**
 * The model port (DESIGN.md §6), at the decide/render level. Two implementations: ClaudeModel
 * (Anthropic Messages API) and LocalModel (deterministic rules, no network). The agents depend
 * only on this class; AgentsModule picks the implementation from the configuration.
 */
export abstract class AgentModel {
  /** `claude` or `local`, for logs. */
  abstract readonly kind: 'claude' | 'local';

  /** Call 1: a validated decision. Throws InvalidModelOutputError, ModelUnavailableError or ModelCallAbortedError. */
  abstract decide<K extends DecisionKind>(
    request: DecideRequest<K>,
    options: ModelCallOptions,
  ): Promise<ModelCall<DecisionOf<K>>>;

  /** Call 2: the reply texts, in order, before the tone rules are enforced. */
  abstract render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>>;
}
