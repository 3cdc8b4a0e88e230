import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { TurnContext } from '../context/agent-context.types';
import { InnovatorAnswerFlow } from './innovator-answer.flow';
import { InnovatorContextLoader } from './innovator.context';
import { InnovatorReengagementFlow } from './innovator-reengagement.flow';

/**
 * The Innovator: the agent of members who sell a solution and pay for qualified
 * intros. Composition only: its context, its answer flow and its re-engagement flow.
 */
@Injectable()
export class InnovatorAgent implements AgentProvider {
  readonly name = 'innovator' as const;

  constructor(
    private readonly contexts: InnovatorContextLoader,
    private readonly answer: InnovatorAnswerFlow,
    private readonly reengagement: InnovatorReengagementFlow,
  ) {}

  async handle(turn: TurnContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const context = await this.contexts.load(turn);
    return context.trigger.kind === 're_engagement'
      ? this.reengagement.run(context, context.trigger.check, signal)
      : this.answer.run(context, signal);
  }
}
