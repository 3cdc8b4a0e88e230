import { Injectable } from '@nestjs/common';
import type { AgentOutcome, NewEvent } from '../agent.types';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import { verificationAddress } from '../product/product-facts';
import type { BouncerContext } from './bouncer.context';
import { bouncerDecisionTool } from './bouncer-decision.tool';
import { decideBouncerLocally } from './bouncer.local-decider';
import { cancelReengagement, reengagementTask } from './bouncer-nudges';
import { bouncerDecisionState, bouncerDecisionSystem } from './bouncer.prompts';
import { bouncerReply, previousBouncerReplies } from './bouncer-reply';
import { BouncerRepository } from './bouncer.repository';
import { chooseBouncerScenario } from './bouncer-scenario';
import { collectUserInfoTool, type CollectFacts, type UserFieldValues } from './collect-user-info.tool';
import { answeredABouncerText, checkOnboardingProgress } from './onboarding-progress';
import { ONBOARDING_COMPLETE_EVENT, VERIFICATION_PENDING_EVENT } from './once-events';

const DECIDE_MAX_TOKENS = 500;

const NOTHING_COLLECTED: CollectFacts = { fields: {}, acknowledged: [], referrerName: null, rejected: [] };

/**
 * The Bouncer's answer to a user's texts (or the email webhook's acknowledgment): decide, collect
 * what the user stated, let the onboarding state machine pick the scenario, and reply.
 */
@Injectable()
export class BouncerAnswerFlow {
  private readonly collectUserInfo;

  constructor(
    private readonly turns: AgentTurns,
    repository: BouncerRepository,
  ) {
    this.collectUserInfo = collectUserInfoTool(repository);
  }

  async run(context: BouncerContext, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('bouncer', context, signal);
    const { user } = context;
    const emailVerifiedAck = context.trigger.kind === 'message' && context.trigger.emailVerifiedAck;
    const userTexts = context.trigger.kind === 'message' ? context.trigger.userTexts : [];
    const spokeBefore = context.earlierMessages.some((m) => m.direction === 'outbound' && m.role === 'bouncer');
    const awaiting = spokeBefore ? context.progressBefore.step : null;
    const alreadyComplete = context.pastEvents.has(ONBOARDING_COMPLETE_EVENT);

    const decision = await turn.decide({
      purpose: 'bouncer.decide',
      prompt: {
        staticSystem: bouncerDecisionSystem(turn.pipeline),
        dynamicSystem: bouncerDecisionState(context, awaiting, alreadyComplete),
        turns: chatTurns(context.history, emailVerifiedAck ? '(The email webhook verified my work email.)' : undefined),
        maxTokens: DECIDE_MAX_TOKENS,
      },
      tool: bouncerDecisionTool(turn.pipeline),
      local: () =>
        decideBouncerLocally({
          known: user,
          referrerAnswered: answeredABouncerText(context.earlierMessages),
          awaiting,
          userTexts,
          emailVerifiedAck,
          alreadyComplete,
        }),
    });

    // Tools: collect_user_info, then the state machine decides what comes next.
    const result = await turn.usePlanned(this.collectUserInfo, decision.collect);
    const collected = result.ok ? result.facts : NOTHING_COLLECTED;
    if (collected.rejected.length > 0) {
      turn.log.add('collect_user_info_rejected', { output_data: { rejected: collected.rejected } });
    }

    const progress = checkOnboardingProgress(applied(user, collected.fields), context.history);
    const completedNow = progress.isComplete && !alreadyComplete;
    const scenario = chooseBouncerScenario({ proposed: decision.scenario, progress, completedNow, emailVerifiedAck });
    if (scenario !== decision.scenario) {
      turn.log.add('scenario_corrected', { output_data: { proposed: decision.scenario, chosen: scenario } });
    }

    const address = verificationAddress(user.id);
    if (progress.step === 'email_verification' && !context.pastEvents.has(VERIFICATION_PENDING_EVENT)) {
      turn.events.push(userEvent(user.id, VERIFICATION_PENDING_EVENT, { verification_email: address }));
    }
    if (completedNow) {
      // Ready for manual approval; verification stays with the team.
      turn.events.push(
        userEvent(user.id, ONBOARDING_COMPLETE_EVENT, {
          onboarding_completed_at: context.now.toISOString(),
          ready_for_manual_approval: true,
        }),
      );
    }
    // After a user's answer: a fresh series of nudges while onboarding is incomplete, none once complete.
    turn.effects.push(progress.isComplete ? cancelReengagement(context) : reengagementTask(context, progress, 1));

    // The decision's own texts fit only if nothing it assumed was changed by the tools or the rules.
    const drafted = scenario === decision.scenario && collected.rejected.length === 0 ? decision.replyTexts : null;
    const replies = await bouncerReply(
      turn,
      {
        scenario,
        firstName: (collected.fields.first_name as string | undefined) ?? user.firstName,
        acknowledged: collected.acknowledged,
        referrerName: collected.referrerName,
        questions: decision.questions,
        verificationAddress: scenario === 'request_email_verification' ? address : null,
        emailJustVerified: emailVerifiedAck,
        nudge: false,
        previousReplies: previousBouncerReplies(context),
        guidance: decision.guidance,
      },
      drafted,
    );
    turn.log.add('bouncer_turn', {
      output_data: { scenario, step: progress.step, fields: Object.keys(collected.fields), replies: replies.length },
    });
    return turn.outcome(replies);
  }
}

function applied(user: BouncerContext['user'], fields: UserFieldValues): BouncerContext['user'] {
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

function userEvent(userId: string, type: string, payload: Record<string, unknown>): NewEvent {
  return { event_type: type, aggregate_id: userId, aggregate_type: 'user', payload, created_by: 'bouncer_agent' };
}
