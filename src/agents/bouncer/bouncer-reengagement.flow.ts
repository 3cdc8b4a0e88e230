import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { ReengagementCheck } from '../context/agent-context.types';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import { verificationAddress } from '../product/product-facts';
import type { BouncerContext } from './bouncer.context';
import { decideBouncerReengagementLocally } from './bouncer.local-decider';
import { BOUNCER_NUDGE_SUBJECT, cancelReengagement, MAX_BOUNCER_NUDGES, reengagementTask } from './bouncer-nudges';
import { BOUNCER_REENGAGEMENT_SYSTEM, bouncerReengagementState } from './bouncer.prompts';
import { bouncerReply, previousBouncerReplies } from './bouncer-reply';
import { scenarioForStep } from './bouncer-scenario';
import { REENGAGEMENT_DECISION_TOOL } from './reengagement-decision.tool';

/**
 * The Bouncer's re-engagement path: a nudge queued as a proactive text (or none), and the next
 * check while nudges remain. It never answers at once: nobody wrote to it.
 */
@Injectable()
export class BouncerReengagementFlow {
  constructor(private readonly turns: AgentTurns) {}

  async run(context: BouncerContext, check: ReengagementCheck, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('bouncer', context, signal);
    const progress = context.progressBefore;
    const attempt = check.attemptCount;
    if (progress.isComplete) {
      turn.log.add('re_engagement_decision_no_message', { output_data: { reason: 'onboarding complete', attempt } });
      turn.effects.push(cancelReengagement(context));
      return turn.outcome([]);
    }
    if (attempt > MAX_BOUNCER_NUDGES) {
      turn.log.add('re_engagement_paused', { output_data: { attempt, max: MAX_BOUNCER_NUDGES } });
      return turn.outcome([]);
    }

    const lastUserText = [...context.history].reverse().find((m) => m.role === 'user')?.content ?? null;
    const note = `(Scheduled check, no new text from the user. Nudge ${attempt} of ${MAX_BOUNCER_NUDGES}.)`;
    const decision = await turn.decide({
      purpose: 'bouncer.reengagement.decide',
      prompt: {
        staticSystem: BOUNCER_REENGAGEMENT_SYSTEM,
        dynamicSystem: bouncerReengagementState(context, progress.step, attempt),
        turns: chatTurns(context.history, note),
        maxTokens: 200,
      },
      tool: REENGAGEMENT_DECISION_TOOL,
      local: () => decideBouncerReengagementLocally({ step: progress.step, attemptCount: attempt, lastUserText }),
    });

    if (decision.send) {
      const texts = await bouncerReply(turn, {
        scenario: scenarioForStep(progress.step),
        firstName: context.user.firstName,
        acknowledged: [],
        referrerName: null,
        questions: [],
        verificationAddress: progress.step === 'email_verification' ? verificationAddress(context.user.id) : null,
        emailJustVerified: false,
        nudge: true,
        previousReplies: previousBouncerReplies(context),
      });
      // A nudge is a proactive text: queued for the message dispatcher (budget, quiet hours, opt-out),
      // re-checked before sending, and superseded by a newer nudge on the same subject.
      if (texts.length > 0) {
        turn.queued.push({
          userId: context.user.id,
          agentId: 'bouncer',
          texts,
          priority: 'low',
          subject: BOUNCER_NUDGE_SUBJECT,
          requiresFreshContext: true,
          data: { kind: 're_engagement', attempt, step: progress.step },
        });
      }
      turn.log.add('re_engagement_message_sent', {
        output_data: { attempt, step: progress.step, reason: decision.reason },
      });
    } else {
      turn.log.add('re_engagement_decision_no_message', { output_data: { attempt, reason: decision.reason } });
    }

    if (attempt < MAX_BOUNCER_NUDGES) {
      // The count is carried forward from the check, so the cap holds (a defect of the original processor).
      turn.effects.push(reengagementTask(context, progress, attempt + 1));
    } else {
      turn.log.add('re_engagement_paused', { output_data: { attempt, max: MAX_BOUNCER_NUDGES } });
    }
    return turn.outcome([]);
  }
}
