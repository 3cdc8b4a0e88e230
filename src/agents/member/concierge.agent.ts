import { Injectable } from '@nestjs/common';
import { AgentTurns } from '../kit/agent-turns';
import { MemberAgent, type MemberToneProfile } from './member.agent';

/** The Concierge, for verified members (minimal: acknowledgments and the fixed answers). */
@Injectable()
export class ConciergeAgent extends MemberAgent {
  readonly name = 'concierge' as const;
  protected readonly tone: MemberToneProfile = { maxSentencesPerText: 3, maxCharsPerText: 480 };

  constructor(turns: AgentTurns) {
    super(turns);
  }
}
