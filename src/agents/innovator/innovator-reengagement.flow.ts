import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { ReengagementCheck } from '../context/agent-context.types';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import type { InnovatorContext } from './innovator.context';
import { INNOVATOR_REENGAGEMENT_TOOL } from './innovator-decision.tool';
import { decideInnovatorReengagementLocally, openThreads } from './innovator.local-decider';
import { INNOVATOR_REENGAGEMENT_SYSTEM, innovatorDecisionState } from './innovator.prompts';
import { daysAfter, INNOVATOR_NUDGE_SUBJECT, innovatorCheck } from './innovator-reengagement-task';
import { baseFacts, innovatorReply } from './innovator-reply';
import { InnovatorRepository } from './innovator.repository';
import { throttleReengagement, UNANSWERED_WINDOW_DAYS } from './reengagement-throttle';

const DECIDE_MAX_TOKENS = 1200;

/**
 * The Innovator's re-engagement: throttling first, before any model call; then the
 * model decides whether to text, when to check again and which threads to address. Only threads
 * with real rows behind them are kept. A nudge is a proactive text: queued, never sent at once.
 */
@Injectable()
export class InnovatorReengagementFlow {
  constructor(
    private readonly turns: AgentTurns,
    private readonly repository: InnovatorRepository,
  ) {}

  async run(context: InnovatorContext, check: ReengagementCheck, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('innovator', context, signal);
    const attempt = check.attemptCount;
    const history = await this.repository.reengagementHistory(context.user.id, context.now, UNANSWERED_WINDOW_DAYS);
    const verdict = throttleReengagement(history, context.now);
    if (verdict.kind === 'paused') {
      turn.log.add('re_engagement_paused', { output_data: { attempt, unanswered: verdict.unanswered } });
      return turn.outcome([]);
    }
    if (verdict.kind === 'throttled') {
      turn.log.add('re_engagement_throttled', {
        output_data: {
          attempt,
          last_sent_at: verdict.lastSentAt.toISOString(),
          retry_at: verdict.retryAt.toISOString(),
        },
      });
      turn.effects.push(innovatorCheck(context, verdict.retryAt, 'throttled', attempt));
      return turn.outcome([]);
    }

    const decision = await turn.decide({
      purpose: 'innovator.reengagement.decide',
      prompt: {
        staticSystem: INNOVATOR_REENGAGEMENT_SYSTEM,
        dynamicSystem: `${innovatorDecisionState(context)}\nUnanswered nudges so far: ${history.unansweredInWindow}.`,
        turns: chatTurns(context.history, '(Scheduled check, no new text from the innovator.)'),
        maxTokens: DECIDE_MAX_TOKENS,
      },
      tool: INNOVATOR_REENGAGEMENT_TOOL,
      local: () => decideInnovatorReengagementLocally(context),
    });

    const open = new Set(openThreads(context));
    const threads = decision.threads.filter((thread) => open.has(thread));
    if (threads.length < decision.threads.length) {
      turn.log.add('threads_dropped', {
        output_data: { proposed: decision.threads, kept: threads, reason: 'no rows behind them' },
      });
    }
    const next = daysAfter(context.now, decision.extendDays);
    if (!decision.shouldMessage || threads.length === 0) {
      turn.log.add('re_engagement_decision_no_message', {
        output_data: { attempt, reason: decision.reason, extend_days: decision.extendDays },
      });
      turn.effects.push(innovatorCheck(context, next, 'innovator_re_engagement', attempt + 1));
      return turn.outcome([]);
    }

    const texts = await innovatorReply(turn, baseFacts(context, 'general_response'), threads);
    if (texts.length > 0) {
      turn.queued.push({
        userId: context.user.id,
        agentId: 'innovator',
        texts,
        priority: 'low',
        subject: INNOVATOR_NUDGE_SUBJECT,
        requiresFreshContext: true,
        data: { kind: 're_engagement', attempt, threads },
      });
    }
    turn.log.add('re_engagement_message_sent', {
      output_data: { attempt, threads, extend_days: decision.extendDays, reason: decision.reason },
    });
    turn.effects.push(innovatorCheck(context, next, 'innovator_re_engagement', attempt + 1));
    return turn.outcome([]);
  }
}
