import { renderBouncerTemplate } from '../bouncer/bouncer.templates';
import { decideBouncerLocally, decideBouncerReengagementLocally } from '../local/bouncer.local-decider';
import { decideMemberLocally } from '../local/member.local-decider';
import { renderMemberTemplate } from '../member/member.templates';
import { AgentModel } from './agent-model';
import { ModelCallAbortedError } from './model.errors';
import type { DecideRequest, DecisionKind, DecisionKinds, DecisionOf, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions, ModelUsage } from './model.types';

type LocalDeciders = { [K in DecisionKind]: (input: DecisionKinds[K]['input']) => DecisionKinds[K]['output'] };

const DECIDERS: LocalDeciders = {
  bouncer: decideBouncerLocally,
  bouncer_reengagement: decideBouncerReengagementLocally,
  member: decideMemberLocally,
};

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
 * The model port without a network: rules over the structured context (the request's `input`
 * and `facts`), never the prompt text. Same input, same output: the embedded default and the
 * basis of reproducible tests.
 */
export class LocalModel extends AgentModel {
  readonly kind = 'local' as const;

  decide<K extends DecisionKind>(
    request: DecideRequest<K>,
    options: ModelCallOptions,
  ): Promise<ModelCall<DecisionOf<K>>> {
    const started = performance.now();
    if (options.signal.aborted) return Promise.reject(new ModelCallAbortedError());
    const decide: (input: DecisionKinds[K]['input']) => DecisionOf<K> = DECIDERS[request.kind];
    return Promise.resolve({ value: decide(request.input), refused: [], usage: usage(started) });
  }

  render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>> {
    const started = performance.now();
    if (options.signal.aborted) return Promise.reject(new ModelCallAbortedError());
    const texts =
      request.agent === 'bouncer'
        ? renderBouncerTemplate(request.facts)
        : renderMemberTemplate(request.agent, request.facts);
    return Promise.resolve({ value: texts, refused: [], usage: usage(started) });
  }
}
