import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { Environment } from '../../config/environment';
import type { AgentModel } from './agent-model';
import { ClaudeModel } from './claude.model';
import { LocalModel } from './local.model';
import { MeteredAgentModel } from './metered.model';
import type { ModelMetrics } from './model-metrics';

/** ANTHROPIC_API_KEY set → Claude; unset (never in production: config validation refuses it) → the local model. */
export function createAgentModel(config: ConfigService<Environment, true>, metrics: ModelMetrics): AgentModel {
  return new MeteredAgentModel(selectAgentModel(config), metrics);
}

function selectAgentModel(config: ConfigService<Environment, true>): AgentModel {
  const logger = new Logger('AgentModel');
  const apiKey = config.get('ANTHROPIC_API_KEY', { infer: true });
  if (apiKey === undefined) {
    logger.warn(
      { event: 'local_model' },
      'ANTHROPIC_API_KEY unset: agents use the local deterministic model (offline, no Claude)',
    );
    return new LocalModel();
  }
  const model = config.get('ANTHROPIC_MODEL', { infer: true });
  logger.log({ event: 'claude_model', model }, `agents use Claude (${model})`);
  return new ClaudeModel({ apiKey, baseURL: config.get('ANTHROPIC_BASE_URL', { infer: true }), model });
}
