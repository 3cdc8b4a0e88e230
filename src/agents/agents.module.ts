import { Module } from '@nestjs/common';
import { ActionApplier } from './action-applier';
import { AgentDispatcher } from './agent-dispatcher';

@Module({
  providers: [AgentDispatcher, ActionApplier],
  exports: [AgentDispatcher, ActionApplier],
})
export class AgentsModule {}
