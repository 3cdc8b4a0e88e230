import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  InvalidModelOutputError,
  ModelCallAbortedError,
  ModelRequestRejectedError,
  ModelUnavailableError,
} from './model.errors';
import type { ModelUsage } from './model.types';

/** `ok`, or why the call failed: the agent error-rate alert counts every failure except `aborted`. */
export type ModelCallOutcome = 'ok' | 'unavailable' | 'rejected' | 'invalid_output' | 'aborted' | 'error';

export function outcomeOf(error: unknown): ModelCallOutcome {
  if (error instanceof ModelCallAbortedError) return 'aborted';
  if (error instanceof ModelUnavailableError) return 'unavailable';
  if (error instanceof ModelRequestRejectedError) return 'rejected';
  if (error instanceof InvalidModelOutputError) return 'invalid_output';
  return 'error';
}

/**
 * This instance's model-call metrics (calls, latency, tokens by kind, cost), written by
 * MeteredAgentModel around whichever model is configured; /metrics exports the registry.
 */
@Injectable()
export class ModelMetrics {
  readonly registry = new Registry();
  private readonly calls = new Counter({
    name: 'realtime_processor_model_calls_total',
    help: 'Model calls by agent and outcome (ok, unavailable, rejected, invalid_output, aborted, error)',
    labelNames: ['agent', 'outcome'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'realtime_processor_model_latency_seconds',
    help: 'Wall time of a model call, including the SDK retries, by agent',
    labelNames: ['agent'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'realtime_processor_model_tokens_total',
    help: 'Tokens of successful model calls by agent and type (input, output, cache_read, cache_write)',
    labelNames: ['agent', 'type'],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'realtime_processor_model_cost_usd_total',
    help: 'Estimated cost of model calls in US dollars, by agent',
    labelNames: ['agent'],
    registers: [this.registry],
  });

  private readonly acceptedListeners: Array<() => void> = [];
  private readonly failedListeners: Array<(agent: string, error: unknown) => void> = [];

  /**
   * Calls `listener` after every model call the API accepted, whoever made it (a turn, an event
   * handler, the dispatcher's render): how ModelHealth learns that refused credentials work again.
   */
  onAccepted(listener: () => void): void {
    this.acceptedListeners.push(listener);
  }

  /** Calls `listener` after every failed model call, whoever made it: how ModelHealth sees a refused key. */
  onFailed(listener: (agent: string, error: unknown) => void): void {
    this.failedListeners.push(listener);
  }

  /** A call that returned; `costUsd` when the price of the model is known. */
  succeeded(agent: string, usage: ModelUsage, seconds: number, costUsd?: number): void {
    for (const listener of this.acceptedListeners) listener();
    this.calls.inc({ agent, outcome: 'ok' });
    this.latency.observe({ agent }, seconds);
    this.tokens.inc({ agent, type: 'input' }, usage.inputTokens);
    this.tokens.inc({ agent, type: 'output' }, usage.outputTokens);
    this.tokens.inc({ agent, type: 'cache_read' }, usage.cacheReadInputTokens);
    this.tokens.inc({ agent, type: 'cache_write' }, usage.cacheCreationInputTokens);
    if (costUsd !== undefined && costUsd > 0) this.cost.inc({ agent }, costUsd);
  }

  failed(agent: string, error: unknown, seconds: number): void {
    for (const listener of this.failedListeners) listener(agent, error);
    this.calls.inc({ agent, outcome: outcomeOf(error) });
    this.latency.observe({ agent }, seconds);
  }
}
