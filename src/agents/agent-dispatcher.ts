import { Injectable } from '@nestjs/common';
import type { TurnInput, TurnResult } from './agent.types';

/**
 * Chooses the agent for a turn and runs it. For now a trivial provider that acknowledges every
 * turn, so the engine can be built and tested on its own; the agents replace it.
 */
@Injectable()
export class AgentDispatcher {
  handleTurn(turn: TurnInput, _options: { signal: AbortSignal }): Promise<TurnResult> {
    return Promise.resolve({
      agent: 'bouncer',
      outcome: {
        replies: [`Got it (${turn.messageIds.length}).`],
        actions: [],
        events: [],
        logs: [],
      },
    });
  }
}
