import { Injectable, Logger } from '@nestjs/common';
import type { AgentAction, AgentOutcome, NewEvent } from '../agent.types';
import { AgentLog } from '../agent-log';
import type { AgentHandleOptions, AgentProvider } from '../agent-provider';
import type { AgentContext, ReengagementCheck } from '../context/agent-context.types';
import {
  answeredABouncerText,
  checkOnboardingProgress,
  type OnboardingProgress,
  type OnboardingStep,
} from '../context/onboarding-progress';
import { ONBOARDING_COMPLETE_EVENT, VERIFICATION_PENDING_EVENT } from '../context/once-events';
import { AgentModel } from '../model/agent-model';
import { chatTurns } from '../model/chat-turns';
import { verificationAddress } from '../product/product-facts';
import { contextWords } from '../tone/context-words';
import { enforceTone } from '../tone/tone-rules';
import { BOUNCER_DECISION_TOOL } from './bouncer-decision.tool';
import type { BouncerRenderFacts } from './bouncer-model.types';
import {
  BOUNCER_DECISION_SYSTEM,
  BOUNCER_REENGAGEMENT_SYSTEM,
  BOUNCER_RENDER_SYSTEM,
  bouncerDecisionState,
  bouncerReengagementState,
  bouncerRenderState,
} from './bouncer.prompts';
import { chooseBouncerScenario, scenarioForStep } from './bouncer-scenario';
import { renderBouncerTemplate } from './bouncer.templates';
import { REENGAGEMENT_DECISION_TOOL } from './reengagement-decision.tool';
import { UserInfoCollector, type UserFieldValues } from './user-info.collector';

export const RE_ENGAGEMENT_TASK = 're_engagement_check';
/** Brief §3: at most two nudges, a day apart, then the Bouncer stops asking. */
export const MAX_BOUNCER_NUDGES = 2;
const NUDGE_DELAY_MS = 24 * 60 * 60 * 1000;

const DECIDE_MAX_TOKENS = 500;
const RENDER_MAX_TOKENS = 300;

/**
 * The Bouncer (brief §3): onboards people who are not members yet, in a fixed order, up to the
 * point where the team reviews them by hand. It never verifies anyone.
 */
@Injectable()
export class BouncerAgent implements AgentProvider {
  readonly name = 'bouncer' as const;
  private readonly logger = new Logger(BouncerAgent.name);

  constructor(
    private readonly model: AgentModel,
    private readonly collector: UserInfoCollector,
  ) {}

  handle(context: AgentContext, options: AgentHandleOptions): Promise<AgentOutcome> {
    return context.trigger.kind === 're_engagement'
      ? this.reengage(context, context.trigger.check, options)
      : this.answer(context, options);
  }

  private async answer(context: AgentContext, { signal }: AgentHandleOptions): Promise<AgentOutcome> {
    const { user } = context;
    const log = new AgentLog(this.name, context);
    const emailVerifiedAck = context.trigger.kind === 'message' && context.trigger.emailVerifiedAck;
    const userTexts = context.trigger.kind === 'message' ? context.trigger.userTexts : [];
    const spokeBefore = context.earlierMessages.some((m) => m.direction === 'outbound' && m.role === 'bouncer');
    const awaiting = spokeBefore ? context.progressBefore.step : null;
    const alreadyComplete = context.pastEvents.has(ONBOARDING_COMPLETE_EVENT);

    // Call 1: decide.
    const decision = await this.model.decide(
      {
        kind: 'bouncer',
        input: {
          known: user,
          referrerAnswered: answeredABouncerText(context.earlierMessages),
          awaiting,
          userTexts,
          emailVerifiedAck,
          alreadyComplete,
        },
        prompt: {
          staticSystem: BOUNCER_DECISION_SYSTEM,
          dynamicSystem: bouncerDecisionState(context, awaiting, alreadyComplete),
          turns: chatTurns(
            context.history,
            emailVerifiedAck ? '(The email webhook verified my work email.)' : undefined,
          ),
          maxTokens: DECIDE_MAX_TOKENS,
        },
        tool: BOUNCER_DECISION_TOOL,
      },
      { signal },
    );
    log.modelCall('bouncer.decide', this.model.kind, decision.usage, decision.refused);
    if (decision.refused.length > 0) {
      this.logger.warn(
        { event: 'model_output_refused', userId: user.id, refused: decision.refused },
        'refused keys outside the decision schema',
      );
    }

    // Tools: collect_user_info, then the state machine decides what comes next.
    const collected = await this.collector.collect(context, decision.value.collect);
    if (collected.rejected.length > 0) {
      log.add('collect_user_info_rejected', { output_data: { rejected: collected.rejected } });
    }
    const actions: AgentAction[] = [];
    const events: NewEvent[] = [...collected.events];
    if (Object.keys(collected.fields).length > 0) {
      actions.push({ type: 'update_user_fields', userId: user.id, fields: collected.fields });
    }
    actions.push(...collected.actions);

    const progress = checkOnboardingProgress(applied(user, collected.fields), context.history);
    const completedNow = progress.isComplete && !alreadyComplete;
    const scenario = chooseBouncerScenario({
      proposed: decision.value.scenario,
      progress,
      completedNow,
      emailVerifiedAck,
    });
    if (scenario !== decision.value.scenario) {
      log.add('scenario_corrected', { output_data: { proposed: decision.value.scenario, chosen: scenario } });
    }

    const address = verificationAddress(user.id);
    if (progress.step === 'email_verification' && !context.pastEvents.has(VERIFICATION_PENDING_EVENT)) {
      events.push(userEvent(user.id, VERIFICATION_PENDING_EVENT, { verification_email: address }));
    }
    if (completedNow) {
      // Ready for manual approval; verification stays with the team (brief §3).
      events.push(
        userEvent(user.id, ONBOARDING_COMPLETE_EVENT, {
          onboarding_completed_at: context.now.toISOString(),
          ready_for_manual_approval: true,
        }),
      );
    }
    actions.push(...this.scheduleAfterAnswer(context, progress));

    const replies = await this.reply(
      context,
      {
        scenario,
        firstName: (collected.fields.first_name as string | undefined) ?? user.firstName,
        acknowledged: collected.acknowledged,
        referrerName: collected.referrerName,
        questions: decision.value.questions,
        verificationAddress: scenario === 'request_email_verification' ? address : null,
        emailJustVerified: emailVerifiedAck,
        nudge: false,
        previousReplies: previousReplies(context),
      },
      log,
      signal,
    );
    log.add('bouncer_turn', {
      output_data: { scenario, step: progress.step, fields: Object.keys(collected.fields), replies: replies.length },
    });
    return { replies, actions, events, logs: log.entries };
  }

  /** The re-engagement path: a nudge (or not), and the next check while nudges remain. */
  private async reengage(
    context: AgentContext,
    check: ReengagementCheck,
    { signal }: AgentHandleOptions,
  ): Promise<AgentOutcome> {
    const log = new AgentLog(this.name, context);
    const progress = context.progressBefore;
    const attempt = check.attemptCount;
    if (progress.isComplete) {
      log.add('re_engagement_decision_no_message', { output_data: { reason: 'onboarding complete', attempt } });
      return {
        replies: [],
        actions: [{ type: 'cancel_agent_tasks', userId: context.user.id, taskType: RE_ENGAGEMENT_TASK }],
        events: [],
        logs: log.entries,
      };
    }
    if (attempt > MAX_BOUNCER_NUDGES) {
      log.add('re_engagement_paused', { output_data: { attempt, max: MAX_BOUNCER_NUDGES } });
      return { replies: [], actions: [], events: [], logs: log.entries };
    }

    const lastUserText = [...context.history].reverse().find((m) => m.role === 'user')?.content ?? null;
    const note = `(Scheduled check, no new text from the user. Nudge ${attempt} of ${MAX_BOUNCER_NUDGES}.)`;
    const decision = await this.model.decide(
      {
        kind: 'bouncer_reengagement',
        input: { step: progress.step, attemptCount: attempt, lastUserText },
        prompt: {
          staticSystem: BOUNCER_REENGAGEMENT_SYSTEM,
          dynamicSystem: bouncerReengagementState(context, progress.step, attempt),
          turns: chatTurns(context.history, note),
          maxTokens: 200,
        },
        tool: REENGAGEMENT_DECISION_TOOL,
      },
      { signal },
    );
    log.modelCall('bouncer.reengagement.decide', this.model.kind, decision.usage, decision.refused);

    let replies: string[] = [];
    if (decision.value.send) {
      replies = await this.reply(
        context,
        {
          scenario: scenarioForStep(progress.step),
          firstName: context.user.firstName,
          acknowledged: [],
          referrerName: null,
          questions: [],
          verificationAddress: progress.step === 'email_verification' ? verificationAddress(context.user.id) : null,
          emailJustVerified: false,
          nudge: true,
          previousReplies: previousReplies(context),
        },
        log,
        signal,
      );
      log.add('re_engagement_message_sent', {
        output_data: { attempt, step: progress.step, reason: decision.value.reason },
      });
    } else {
      log.add('re_engagement_decision_no_message', { output_data: { attempt, reason: decision.value.reason } });
    }

    const actions: AgentAction[] = [];
    if (attempt < MAX_BOUNCER_NUDGES) {
      // The count is carried forward from the check, so the cap holds (brief §8 item 21).
      actions.push(reengagementTask(context, progress, attempt + 1));
    } else {
      log.add('re_engagement_paused', { output_data: { attempt, max: MAX_BOUNCER_NUDGES } });
    }
    return { replies, actions, events: [], logs: log.entries };
  }

  /** After a user's answer: a fresh series of nudges while onboarding is incomplete, none once complete. */
  private scheduleAfterAnswer(context: AgentContext, progress: OnboardingProgress): AgentAction[] {
    if (progress.isComplete)
      return [{ type: 'cancel_agent_tasks', userId: context.user.id, taskType: RE_ENGAGEMENT_TASK }];
    return [reengagementTask(context, progress, 1)];
  }

  /** Call 2 and the tone rules; the deterministic templates stand in when nothing usable remains. */
  private async reply(
    context: AgentContext,
    facts: BouncerRenderFacts,
    log: AgentLog,
    signal: AbortSignal,
  ): Promise<string[]> {
    if (facts.scenario === 'no_message') return [];
    if (facts.scenario === 'emoji_reply_only') return ['👍'];
    const rendered = await this.model.render(
      {
        agent: 'bouncer',
        facts,
        prompt: {
          staticSystem: BOUNCER_RENDER_SYSTEM,
          dynamicSystem: bouncerRenderState(facts),
          turns: chatTurns(context.history, facts.nudge ? '(No reply from the user for a day.)' : undefined),
          maxTokens: RENDER_MAX_TOKENS,
        },
      },
      { signal },
    );
    log.modelCall('bouncer.render', this.model.kind, rendered.usage);

    const rules = {
      maxSentencesPerText: 2,
      maxCharsPerText: 320,
      maxTexts: 3,
      allowedEmails: facts.verificationAddress ? [facts.verificationAddress] : [],
      knownWords: contextWords(context, [facts.referrerName]),
    };
    let { texts, corrections } = enforceTone(rendered.value, rules);
    if (!carriesRequiredFacts(texts, facts)) {
      // Deterministic repair: the templates always satisfy the rules and carry the address.
      corrections = [...corrections, 'replaced_with_template'];
      texts = enforceTone(renderBouncerTemplate(facts), rules).texts;
    }
    if (corrections.length > 0) {
      log.add('tone_enforced', { output_data: { corrections, scenario: facts.scenario } });
      this.logger.warn(
        { event: 'tone_enforced', userId: context.user.id, corrections },
        'reply changed to meet the tone rules',
      );
    }
    return texts;
  }
}

function applied(user: AgentContext['user'], fields: UserFieldValues): AgentContext['user'] {
  const text = (value: UserFieldValues[keyof UserFieldValues], fallback: string | null): string | null =>
    typeof value === 'string' ? value : fallback;
  return {
    ...user,
    firstName: text(fields.first_name, user.firstName),
    lastName: text(fields.last_name, user.lastName),
    company: text(fields.company, user.company),
    title: text(fields.title, user.title),
    referredBy: text(fields.referred_by, user.referredBy),
    nameDropped: text(fields.name_dropped, user.nameDropped),
  };
}

/** A reply must say something, an ask must still ask, and a verification request must carry the address. */
function carriesRequiredFacts(texts: readonly string[], facts: BouncerRenderFacts): boolean {
  if (texts.length === 0) return false;
  if (facts.verificationAddress !== null) {
    const address = facts.verificationAddress.toLowerCase();
    return texts.some((text) => text.toLowerCase().includes(address));
  }
  if (facts.scenario.startsWith('ask_for_')) return texts.some((text) => text.includes('?'));
  return true;
}

function previousReplies(context: AgentContext): string[] {
  return context.earlierMessages
    .filter((m) => m.direction === 'outbound' && m.role === 'bouncer')
    .map((m) => m.content);
}

function userEvent(userId: string, type: string, payload: Record<string, unknown>): NewEvent {
  return { event_type: type, aggregate_id: userId, aggregate_type: 'user', payload, created_by: 'bouncer_agent' };
}

function reengagementTask(context: AgentContext, progress: OnboardingProgress, attemptCount: number): AgentAction {
  return {
    type: 'create_agent_task',
    userId: context.user.id,
    taskType: RE_ENGAGEMENT_TASK,
    agentType: 'bouncer',
    scheduledFor: new Date(context.now.getTime() + NUDGE_DELAY_MS),
    contextId: context.conversation.id,
    contextType: 'conversation',
    replacePending: true,
    contextJson: {
      current_step: progress.step satisfies OnboardingStep,
      missing_fields: progress.missingFields,
      last_interaction_at: context.now.toISOString(),
      attemptCount,
    },
  };
}
