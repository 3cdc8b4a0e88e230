import { Injectable, Logger } from '@nestjs/common';
import type { ActionLogEntry, TurnInput, TurnResult } from '../agents/agent.types';
import { chooseAgent } from '../agents/context/agent-routing';
import type { ConsentChange } from './consent.types';
import { SmsComplianceRepository } from './sms-compliance.repository';
import { HELP_REPLY, OPT_IN_REPLY, OPT_OUT_REPLY, smsKeyword } from './sms-keywords';

/**
 * SMS compliance before any agent turn. A turn whose user texted a carrier keyword (the whole
 * text: STOP, START, HELP and their synonyms; the last one counts) is answered here, never by an
 * agent: STOP opts the user out, cancels their queued texts and gets exactly one confirmation (a
 * repeated STOP gets none); START/UNSTOP opts back in; HELP says what the service is and how to
 * stop. A user who opted out gets no agent turn at all until they text START. Returns null when
 * the agents should answer. Writes nothing: the consent change is committed with the turn.
 */
@Injectable()
export class SmsCompliance {
  private readonly logger = new Logger(SmsCompliance.name);

  constructor(private readonly repository: SmsComplianceRepository) {}

  async answer(turn: TurnInput): Promise<TurnResult | null> {
    if (!turn.userId) return null;
    const user = await this.repository.user(turn.userId);
    if (!user) return null;
    const texts = await this.repository.texts(turn.messageIds);
    const keyword = texts
      .filter((text) => text.role === 'user')
      .map((text) => smsKeyword(text.content))
      .filter((found) => found !== null)
      .at(-1);
    if (!keyword && !user.opted_out_at) return null;

    const agent = chooseAgent({ verified: user.verified, pocAgentType: user.poc_agent_type }).agent;
    const optedOut = user.opted_out_at !== null;
    const log = (action: string): ActionLogEntry => ({
      agent_type: 'messaging',
      action_type: action,
      user_id: user.id,
      input_data: { message_ids: turn.messageIds },
    });
    const result = (action: string, replies: string[], consent?: ConsentChange): TurnResult => {
      this.logger.log({ event: action, userId: user.id, messageIds: turn.messageIds }, 'SMS keyword answered');
      return { agent, outcome: { replies, actions: [], events: [], logs: [log(action)], consent } };
    };

    switch (keyword) {
      case 'opt_out':
        return optedOut
          ? result('sms_opt_out_repeated', [])
          : result('sms_opt_out', [OPT_OUT_REPLY], { userId: user.id, change: 'opt_out' });
      case 'opt_in':
        return result('sms_opt_in', [OPT_IN_REPLY], optedOut ? { userId: user.id, change: 'opt_in' } : undefined);
      case 'help':
        return result('sms_help', [HELP_REPLY]);
      default:
        // Opted out and not a keyword: nobody answers until the user texts START.
        return result('sms_text_while_opted_out', []);
    }
  }
}
