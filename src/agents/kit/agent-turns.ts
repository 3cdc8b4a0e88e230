import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AgentPipeline, Environment } from '../../config/environment';
import type { AgentName } from '../agent.types';
import type { TurnContext } from '../context/agent-context.types';
import { AgentModel } from '../model/agent-model';
import { AgentTurn } from './agent-turn';

/** Starts turns with the configured model and pipeline (one or two model round trips). */
@Injectable()
export class AgentTurns {
  readonly pipeline: AgentPipeline;

  constructor(
    private readonly model: AgentModel,
    config: ConfigService<Environment, true>,
  ) {
    this.pipeline = config.get('AGENT_PIPELINE', { infer: true }) ?? 'one_call';
  }

  start<C extends TurnContext>(agent: AgentName, context: C, signal: AbortSignal): AgentTurn<C> {
    return new AgentTurn(agent, context, this.model, signal, this.pipeline);
  }
}
