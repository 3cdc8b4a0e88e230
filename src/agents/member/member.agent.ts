import type { AgentOutcome } from '../agent.types';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { TurnContext } from '../context/agent-context.types';
import type { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import { contextWords } from '../tone/context-words';
import { MEMBER_DECISION_TOOL } from './member-decision.tool';
import { decideMemberLocally } from './member.local-decider';
import type { MemberAgentName, MemberRenderFacts } from './member-model.types';
import { memberDecisionSystem, memberRenderState, memberRenderSystem } from './member.prompts';
import { renderMemberTemplate } from './member.templates';

export interface MemberToneProfile {
  maxSentencesPerText: number;
  maxCharsPerText: number;
}

/**
 * The minimal member agent (the Innovator until its own issue): decide → render → tone rules,
 * with no tools yet, on the kit's turn pipeline.
 */
export abstract class MemberAgent implements AgentProvider {
  abstract readonly name: MemberAgentName;
  protected abstract readonly tone: MemberToneProfile;

  constructor(private readonly turns: AgentTurns) {}

  async handle(context: TurnContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const turn = this.turns.start(this.name, context, signal);
    if (context.trigger.kind === 're_engagement') {
      // Throttled, priorities-aware re-engagement needs the Account Manager's priorities: later issue.
      turn.log.add('re_engagement_decision_no_message', {
        output_data: {
          reason: 'member re-engagement is not implemented yet',
          attempt: context.trigger.check.attemptCount,
        },
      });
      return turn.outcome([]);
    }
    const { userTexts, emailVerifiedAck } = context.trigger;
    const note = emailVerifiedAck && userTexts.length === 0 ? '(The email webhook verified my email.)' : undefined;
    const turns = chatTurns(context.history, note);

    const decision = await turn.decide({
      purpose: `${this.name}.decide`,
      prompt: {
        staticSystem: memberDecisionSystem(this.name),
        dynamicSystem: `Current time: ${context.now.toISOString()}`,
        turns,
        maxTokens: 300,
      },
      tool: MEMBER_DECISION_TOOL,
      local: () => decideMemberLocally({ agent: this.name, userTexts, emailVerifiedAck }),
    });

    const facts: MemberRenderFacts = {
      scenario: decision.scenario,
      firstName: context.user.firstName,
      questions: decision.questions,
      emailJustVerified: emailVerifiedAck,
      previousReplies: context.earlierMessages.filter((m) => m.direction === 'outbound').map((m) => m.content),
    };
    let replies: string[] = [];
    if (facts.scenario === 'emoji_reply_only') replies = ['👍'];
    else if (facts.scenario !== 'no_message') {
      replies = await turn.reply({
        purpose: `${this.name}.render`,
        scenario: facts.scenario,
        prompt: {
          staticSystem: memberRenderSystem(this.name),
          dynamicSystem: memberRenderState(facts),
          turns,
          maxTokens: 500,
        },
        template: () => renderMemberTemplate(this.name, facts),
        tone: { ...this.tone, maxTexts: 3, allowedEmails: [], knownWords: contextWords(context) },
      });
    }
    turn.log.add(`${this.name}_turn`, { output_data: { scenario: facts.scenario, replies: replies.length } });
    return turn.outcome(replies);
  }
}
