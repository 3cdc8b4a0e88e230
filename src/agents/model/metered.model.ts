import { costUsd } from '../../config/model-prices';
import { AgentModel } from './agent-model';
import type { ModelMetrics } from './model-metrics';
import type { DecideRequest, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions } from './model.types';

/** The agent a call belongs to: the first part of its purpose (`concierge.render` → `concierge`). */
export function agentOfPurpose(purpose: string): string {
  return purpose.split('.')[0] || 'unknown';
}

/**
 * The configured model with its calls counted: one wrapper around the port, so neither model
 * implementation nor any agent knows about metrics.
 */
export class MeteredAgentModel extends AgentModel {
  readonly kind: AgentModel['kind'];

  constructor(
    private readonly inner: AgentModel,
    private readonly metrics: ModelMetrics,
  ) {
    super();
    this.kind = inner.kind;
  }

  decide<T>(request: DecideRequest<T>, options: ModelCallOptions): Promise<ModelCall<T>> {
    return this.meter(request.purpose, () => this.inner.decide(request, options));
  }

  render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>> {
    return this.meter(request.purpose, () => this.inner.render(request, options));
  }

  private async meter<T>(purpose: string, call: () => Promise<ModelCall<T>>): Promise<ModelCall<T>> {
    const agent = agentOfPurpose(purpose);
    const started = performance.now();
    try {
      const result = await call();
      const cost = this.kind === 'claude' ? costUsd(result.usage.model, result.usage) : undefined;
      this.metrics.succeeded(agent, result.usage, (performance.now() - started) / 1000, cost);
      return result;
    } catch (error) {
      this.metrics.failed(agent, error, (performance.now() - started) / 1000);
      throw error;
    }
  }
}
