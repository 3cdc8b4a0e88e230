import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { TurnContext } from '../context/agent-context.types';
import { BouncerAnswerFlow } from './bouncer-answer.flow';
import { BouncerContextLoader } from './bouncer.context';
import { BouncerReengagementFlow } from './bouncer-reengagement.flow';

/**
 * The Bouncer: onboards people who are not members yet, in a fixed order, up to the
 * point where the team reviews them by hand. It never verifies anyone. Composition only: its
 * context, its answer flow and its re-engagement flow.
 */
@Injectable()
export class BouncerAgent implements AgentProvider {
  readonly name = 'bouncer' as const;

  constructor(
    private readonly contexts: BouncerContextLoader,
    private readonly answer: BouncerAnswerFlow,
    private readonly reengagement: BouncerReengagementFlow,
  ) {}

  async handle(turn: TurnContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const context = await this.contexts.load(turn);
    return context.trigger.kind === 're_engagement'
      ? this.reengagement.run(context, context.trigger.check, signal)
      : this.answer.run(context, signal);
  }
}
