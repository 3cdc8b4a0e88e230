import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { TurnContext } from '../context/agent-context.types';
import { ConciergeAnswerFlow } from './concierge-answer.flow';
import { ConciergeContextLoader } from './concierge.context';
import { ConciergeReengagementFlow } from './concierge-reengagement.flow';

/**
 * The Concierge, for verified members: priorities, intros, community requests, goals
 * and research, and throttled re-engagement. Composition only: its context and its two flows.
 */
@Injectable()
export class ConciergeAgent implements AgentProvider {
  readonly name = 'concierge' as const;

  constructor(
    private readonly contexts: ConciergeContextLoader,
    private readonly answer: ConciergeAnswerFlow,
    private readonly reengagement: ConciergeReengagementFlow,
  ) {}

  async handle(turn: TurnContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const context = await this.contexts.load(turn);
    return context.trigger.kind === 're_engagement'
      ? this.reengagement.run(context, context.trigger.check, signal)
      : this.answer.run(context, signal);
  }
}
