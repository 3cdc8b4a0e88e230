import type { DecideRequest, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions } from './model.types';

/**
 * The model port (docs/architecture.md §4), generic over decisions: it never imports an agent. Two
 * implementations: ClaudeModel (Anthropic Messages API) and LocalModel (each request's own
 * deterministic answer, no network). AgentsModule picks one from the configuration.
 */
export abstract class AgentModel {
  /** `claude` or `local`, for logs. */
  abstract readonly kind: 'claude' | 'local';

  /** A validated decision. Throws InvalidModelOutputError, ModelUnavailableError or ModelCallAbortedError. */
  abstract decide<T>(request: DecideRequest<T>, options: ModelCallOptions): Promise<ModelCall<T>>;

  /** The reply texts, in order, before the tone rules are enforced. */
  abstract render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>>;
}
