import { Logger } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import { AgentLog } from '../agent-log';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { AgentContext } from '../context/agent-context.types';
import type { AgentModel } from '../model/agent-model';
import { chatTurns } from '../model/chat-turns';
import { contextWords } from '../tone/context-words';
import { enforceTone } from '../tone/tone-rules';
import { MEMBER_DECISION_TOOL } from './member-decision.tool';
import type { MemberAgentName, MemberRenderFacts } from './member-model.types';
import { memberDecisionSystem, memberRenderState, memberRenderSystem } from './member.prompts';
import { renderMemberTemplate } from './member.templates';

export interface MemberToneProfile {
  maxSentencesPerText: number;
  maxCharsPerText: number;
}

/**
 * The shared pipeline of the minimal Concierge and Innovator: decide → render → tone rules, with
 * no tools yet. Their priorities-aware versions (brief §4–5) replace this in a later issue.
 */
export abstract class MemberAgent implements AgentProvider {
  abstract readonly name: MemberAgentName;
  protected abstract readonly tone: MemberToneProfile;
  private readonly logger = new Logger(MemberAgent.name);

  constructor(private readonly model: AgentModel) {}

  async handle(context: AgentContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const log = new AgentLog(this.name, context);
    if (context.trigger.kind === 're_engagement') {
      // Throttled, priorities-aware re-engagement needs the Account Manager's priorities: later issue.
      log.add('re_engagement_decision_no_message', {
        output_data: {
          reason: 'member re-engagement is not implemented yet',
          attempt: context.trigger.check.attemptCount,
        },
      });
      return { replies: [], actions: [], events: [], logs: log.entries };
    }
    const { userTexts, emailVerifiedAck } = context.trigger;
    const note = emailVerifiedAck && userTexts.length === 0 ? '(The email webhook verified my email.)' : undefined;
    const turns = chatTurns(context.history, note);

    const decision = await this.model.decide(
      {
        kind: 'member',
        input: { agent: this.name, userTexts, emailVerifiedAck },
        prompt: {
          staticSystem: memberDecisionSystem(this.name),
          dynamicSystem: `Current time: ${context.now.toISOString()}`,
          turns,
          maxTokens: 300,
        },
        tool: MEMBER_DECISION_TOOL,
      },
      { signal },
    );
    log.modelCall(`${this.name}.decide`, this.model.kind, decision.usage, decision.refused);

    const facts: MemberRenderFacts = {
      scenario: decision.value.scenario,
      firstName: context.user.firstName,
      questions: decision.value.questions,
      emailJustVerified: emailVerifiedAck,
      previousReplies: context.earlierMessages.filter((m) => m.direction === 'outbound').map((m) => m.content),
    };
    let replies: string[] = [];
    if (facts.scenario === 'emoji_reply_only') replies = ['👍'];
    else if (facts.scenario !== 'no_message') {
      const rendered = await this.model.render(
        {
          agent: this.name,
          facts,
          prompt: {
            staticSystem: memberRenderSystem(this.name),
            dynamicSystem: memberRenderState(facts),
            turns,
            maxTokens: 500,
          },
        },
        { signal },
      );
      log.modelCall(`${this.name}.render`, this.model.kind, rendered.usage);
      replies = this.enforce(context, rendered.value, facts, log);
    }
    log.add(`${this.name}_turn`, { output_data: { scenario: facts.scenario, replies: replies.length } });
    return { replies, actions: [], events: [], logs: log.entries };
  }

  private enforce(context: AgentContext, texts: string[], facts: MemberRenderFacts, log: AgentLog): string[] {
    const rules = { ...this.tone, maxTexts: 3, allowedEmails: [], knownWords: contextWords(context) };
    let result = enforceTone(texts, rules);
    let corrections = result.corrections;
    if (result.texts.length === 0) {
      corrections = [...corrections, 'replaced_with_template'];
      result = enforceTone(renderMemberTemplate(this.name, facts), rules);
    }
    if (corrections.length > 0) {
      log.add('tone_enforced', { output_data: { corrections, scenario: facts.scenario } });
      this.logger.warn(
        { event: 'tone_enforced', userId: context.user.id, agentType: this.name, corrections },
        'reply changed to meet the tone rules',
      );
    }
    return result.texts;
  }
}
