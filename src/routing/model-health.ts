import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ModelMetrics } from '../agents/model/model-metrics';
import { errorText } from './error-text';
import { failureKind } from './failure-kind';
import { ProcessingStats } from './processing-stats';

export interface ModelHealthState {
  /** `failing` while the model API refuses our credentials or configuration; texts wait meanwhile. */
  status: 'ok' | 'failing';
  since: string | null;
  /** The last refusal, scrubbed (e.g. `Anthropic API answered 401: invalid x-api-key`). */
  error: string | null;
}

/**
 * Whether the model API accepts this instance's credentials and configuration, judged from every
 * model call whoever makes it (a turn, an event handler, the dispatcher's render). A 401/403/404 is
 * the operator's fault: texts and events wait instead of dying, /health reports `degraded` with the
 * reason and `realtime_processor_model_config_failing` is 1 (the alert), until a model call gets
 * through again. A turn or event that commits without calling the model proves nothing about the
 * key, so only an accepted call ends it.
 */
@Injectable()
export class ModelHealth {
  private readonly logger = new Logger(ModelHealth.name);
  private failingSince: Date | null = null;
  private lastError: string | null = null;

  constructor(stats: ProcessingStats, metrics: ModelMetrics) {
    metrics.onFailed((agent, error) => {
      if (failureKind(error) === 'config' && this.configRejected(errorText(error))) {
        this.logger.error(
          { event: 'model_config_error', agentType: agent, err: error },
          'the model API refuses our credentials or configuration: texts and events wait, none dead; fix the key or model',
        );
      }
    });
    metrics.onAccepted(() => {
      if (this.accepted()) {
        this.logger.log({ event: 'model_config_recovered' }, 'the model API accepts our requests again');
      }
    });
    const failing = () => (this.failingSince ? 1 : 0);
    new Gauge({
      name: 'realtime_processor_model_config_failing',
      help: '1 while the model API refuses our credentials or configuration (texts wait, none dead)',
      registers: [stats.registry],
      collect(this: Gauge) {
        this.set(failing());
      },
    });
  }

  /** Returns true when this starts a new failing period (alert once, not per text). */
  configRejected(error: string): boolean {
    this.lastError = error;
    if (this.failingSince) return false;
    this.failingSince = new Date();
    return true;
  }

  /** A model call went through: returns true when this ends a failing period. */
  accepted(): boolean {
    if (!this.failingSince) return false;
    this.failingSince = null;
    this.lastError = null;
    return true;
  }

  state(): ModelHealthState {
    return {
      status: this.failingSince ? 'failing' : 'ok',
      since: this.failingSince?.toISOString() ?? null,
      error: this.lastError,
    };
  }
}
