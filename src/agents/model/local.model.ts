import { AgentModel } from './agent-model';
import { ModelCallAbortedError } from './model.errors';
import type { DecideRequest, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions, ModelUsage } from './model.types';

export const LOCAL_MODEL_NAME = 'local-deterministic';

const usage = (startedAt: number): ModelUsage => ({
  model: LOCAL_MODEL_NAME,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  latencyMs: Math.round(performance.now() - startedAt),
});

/**
 * The model port without a network: each request's `local` answer, i.e. the requesting agent's
 * rules over its structured context, never the prompt text. Same input, same output: the
 * embedded default and the basis of reproducible tests.
 */
export class LocalModel extends AgentModel {
  readonly kind = 'local' as const;

  decide<T>(request: DecideRequest<T>, options: ModelCallOptions): Promise<ModelCall<T>> {
    const started = performance.now();
    if (options.signal.aborted) return Promise.reject(new ModelCallAbortedError());
    return Promise.resolve({ value: request.local(), refused: [], usage: usage(started) });
  }

  render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>> {
    const started = performance.now();
    if (options.signal.aborted) return Promise.reject(new ModelCallAbortedError());
    return Promise.resolve({ value: request.local(), refused: [], usage: usage(started) });
  }
}
