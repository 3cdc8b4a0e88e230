import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ActionApplier } from './action-applier';
import { AgentDispatcher } from './agent-dispatcher';
import { AGENT_PROVIDERS, type AgentProvider } from './agent-provider';
import { BouncerAgent } from './bouncer/bouncer.agent';
import { BouncerAnswerFlow } from './bouncer/bouncer-answer.flow';
import { BouncerContextLoader } from './bouncer/bouncer.context';
import { BouncerReengagementFlow } from './bouncer/bouncer-reengagement.flow';
import { BouncerRepository } from './bouncer/bouncer.repository';
import { AgentContextLoader } from './context/agent-context.loader';
import { AgentContextRepository } from './context/agent-context.repository';
import { ConciergeAgent } from './concierge/concierge.agent';
import { ConciergeAnswerFlow } from './concierge/concierge-answer.flow';
import { ConciergeContextLoader } from './concierge/concierge.context';
import { ConciergeReengagementFlow } from './concierge/concierge-reengagement.flow';
import { ConciergeRepository } from './concierge/concierge.repository';
import { InnovatorAgent } from './innovator/innovator.agent';
import { InnovatorAnswerFlow } from './innovator/innovator-answer.flow';
import { InnovatorContextLoader } from './innovator/innovator.context';
import { InnovatorReengagementFlow } from './innovator/innovator-reengagement.flow';
import { InnovatorRepository } from './innovator/innovator.repository';
import { AgentTurns } from './kit/agent-turns';
import { AgentModel } from './model/agent-model';
import { createAgentModel } from './model/agent-model.factory';
import { SmsComplianceModule } from '../messaging/sms-compliance.module';
import { ModelMetrics } from './model/model-metrics';

/**
 * The agents: context loading, routing by user state, the providers and the model port. The
 * engine (RoutingModule) uses AgentDispatcher for turns and ActionApplier inside its commit.
 * DatabaseService and ConfigService come from their global modules.
 */
@Module({
  imports: [SmsComplianceModule],
  providers: [
    ModelMetrics,
    { provide: AgentModel, useFactory: createAgentModel, inject: [ConfigService, ModelMetrics] },
    AgentTurns,
    AgentContextRepository,
    AgentContextLoader,
    BouncerRepository,
    BouncerContextLoader,
    BouncerAnswerFlow,
    BouncerReengagementFlow,
    BouncerAgent,
    ConciergeRepository,
    ConciergeContextLoader,
    ConciergeAnswerFlow,
    ConciergeReengagementFlow,
    ConciergeAgent,
    InnovatorRepository,
    InnovatorContextLoader,
    InnovatorAnswerFlow,
    InnovatorReengagementFlow,
    InnovatorAgent,
    {
      provide: AGENT_PROVIDERS,
      useFactory: (...providers: AgentProvider[]): AgentProvider[] => providers,
      inject: [BouncerAgent, ConciergeAgent, InnovatorAgent],
    },
    AgentDispatcher,
    ActionApplier,
  ],
  exports: [AgentDispatcher, ActionApplier, ModelMetrics, AgentModel],
})
export class AgentsModule {}
