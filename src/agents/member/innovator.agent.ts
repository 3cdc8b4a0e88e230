import { Injectable } from '@nestjs/common';
import { AgentTurns } from '../kit/agent-turns';
import { MemberAgent, type MemberToneProfile } from './member.agent';

/** The Innovator agent, for members who sell a solution (minimal: acknowledgments and the fixed answers). */
@Injectable()
export class InnovatorAgent extends MemberAgent {
  readonly name = 'innovator' as const;
  // Brief §5: under about 200 characters per text.
  protected readonly tone: MemberToneProfile = { maxSentencesPerText: 3, maxCharsPerText: 200 };

  constructor(turns: AgentTurns) {
    super(turns);
  }
}
