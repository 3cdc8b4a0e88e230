import { AgentModel } from './agent-model';
import type { ModelMetrics } from './model-metrics';
import type { DecideRequest, DecisionKind, DecisionOf, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions } from './model.types';

/** The agent a decision belongs to: the Bouncer's two kinds, or the member agent named in the input. */
function agentOfDecision<K extends DecisionKind>(request: DecideRequest<K>): string {
  const input: unknown = request.input;
  if (request.kind === 'member' && typeof input === 'object' && input !== null && 'agent' in input) {
    return String(input.agent);
  }
  return 'bouncer';
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

  decide<K extends DecisionKind>(
    request: DecideRequest<K>,
    options: ModelCallOptions,
  ): Promise<ModelCall<DecisionOf<K>>> {
    return this.meter(agentOfDecision(request), () => this.inner.decide(request, options));
  }

  render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>> {
    return this.meter(request.agent, () => this.inner.render(request, options));
  }

  private async meter<T>(agent: string, call: () => Promise<ModelCall<T>>): Promise<ModelCall<T>> {
    const started = performance.now();
    try {
      const result = await call();
      this.metrics.succeeded(agent, result.usage, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.metrics.failed(agent, error, (performance.now() - started) / 1000);
      throw error;
    }
  }
}
