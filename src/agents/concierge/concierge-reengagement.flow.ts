import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { ReengagementCheck } from '../context/agent-context.types';
import type { AgentTurn } from '../kit/agent-turn';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import type { ConciergeContext } from './concierge.context';
import { CONCIERGE_REENGAGEMENT_TOOL } from './concierge-decision.tool';
import { mentionText } from './concierge-intent';
import { decideConciergeReengagementLocally } from './concierge.local-decider';
import { soundsFrustrated } from './concierge-phrasings';
import { presentPriority } from './concierge-presentation';
import { CONCIERGE_REENGAGEMENT_SYSTEM, conciergeReengagementState } from './concierge.prompts';
import { conciergeTone } from './concierge-reply';
import { renderConciergeNudge } from './concierge.templates';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A nudge within 7 days reschedules the check; 3 unanswered nudges within 90 days pause them. */
export const NUDGE_SPACING_DAYS = 7;
export const MAX_UNANSWERED_NUDGES = 3;
export const CONCIERGE_NUDGE_SUBJECT = 're_engagement:concierge';
/** After a frustrated last text, the next look is a month away. */
const FRUSTRATED_EXTEND_DAYS = 30;

/**
 * Member re-engagement: throttling first, before any model call; then the model decides
 * whether to text, when to look again and which threads to address. A nudge is a proactive text,
 * queued for the message dispatcher, never an immediate reply.
 */
@Injectable()
export class ConciergeReengagementFlow {
  constructor(private readonly turns: AgentTurns) {}

  async run(context: ConciergeContext, check: ReengagementCheck, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('concierge', context, signal);
    const { lastNudgeAt, unansweredNudges } = context.nudges;
    const attempt = check.attemptCount;

    if (lastNudgeAt && context.now.getTime() - lastNudgeAt.getTime() < NUDGE_SPACING_DAYS * DAY_MS) {
      const next = new Date(lastNudgeAt.getTime() + NUDGE_SPACING_DAYS * DAY_MS);
      this.schedule(turn, next, attempt, 'low');
      turn.log.add('re_engagement_throttled', {
        output_data: { last_nudge_at: lastNudgeAt.toISOString(), next_check: next.toISOString() },
      });
      return turn.outcome([]);
    }
    if (unansweredNudges >= MAX_UNANSWERED_NUDGES) {
      turn.log.add('re_engagement_paused', { output_data: { unanswered_nudges: unansweredNudges } });
      return turn.outcome([]);
    }

    // A member whose last text was frustrated with us gets no proactive text (both models).
    const lastUserText = [...context.history].reverse().find((m) => m.role === 'user')?.content;
    if (lastUserText !== undefined && soundsFrustrated([lastUserText])) {
      this.schedule(turn, new Date(context.now.getTime() + FRUSTRATED_EXTEND_DAYS * DAY_MS), attempt, 'low');
      turn.log.add('re_engagement_decision_no_message', {
        output_data: { reason: 'the member sounded frustrated', extend_days: FRUSTRATED_EXTEND_DAYS },
      });
      return turn.outcome([]);
    }

    const decision = await turn.decide({
      purpose: 'concierge.reengagement.decide',
      prompt: {
        staticSystem: CONCIERGE_REENGAGEMENT_SYSTEM,
        dynamicSystem: conciergeReengagementState(context),
        turns: chatTurns(context.history, '(Scheduled check, no new text from the member.)'),
        maxTokens: 1000,
      },
      tool: CONCIERGE_REENGAGEMENT_TOOL,
      local: () => decideConciergeReengagementLocally(context),
    });
    const nextCheck = new Date(context.now.getTime() + decision.extendDays * DAY_MS);
    if (!decision.shouldMessage) {
      this.schedule(turn, nextCheck, attempt, 'medium');
      turn.log.add('re_engagement_decision_no_message', {
        output_data: { reason: decision.reason, extend_days: decision.extendDays },
      });
      return turn.outcome([]);
    }

    // Threads must be priorities loaded for this turn (the one rule, as for tools).
    const threads = decision.threadPriorityIds
      .filter((id) => context.ids.has('user_priority', id))
      .map((id) => context.priorities.find((p) => p.id === id.toLowerCase()))
      .filter((p) => p !== undefined);
    const dropped = decision.threadPriorityIds.length - threads.length;
    if (dropped > 0) turn.refuse('threads_to_address', `${dropped} thread id(s) not in this turn's context`);

    const topics = threads.map(mentionText);
    const texts = await turn.reply({
      purpose: 'concierge.reengagement.render',
      scenario: 're_engagement',
      prompt: {
        staticSystem: CONCIERGE_REENGAGEMENT_SYSTEM,
        dynamicSystem: `${conciergeReengagementState(context)}\nWrite the proactive text about: ${topics.join('; ') || 'a light check-in'}.`,
        turns: chatTurns(context.history, '(Scheduled check, no new text from the member.)'),
        maxTokens: 700,
      },
      template: () => renderConciergeNudge(topics),
      tone: conciergeTone(context),
      drafted: dropped === 0 ? decision.replyTexts : null,
    });
    if (texts.length > 0) {
      turn.queued.push({
        userId: context.user.id,
        agentId: 'concierge',
        texts,
        priority: 'low',
        subject: CONCIERGE_NUDGE_SUBJECT,
        requiresFreshContext: true,
        data: { kind: 're_engagement', threads: threads.map((p) => p.id) },
      });
      for (const priority of threads) presentPriority(turn, priority, 'dedicated');
    }
    this.schedule(turn, nextCheck, attempt + 1, 'medium');
    turn.log.add('re_engagement_message_sent', {
      output_data: { reason: decision.reason, extend_days: decision.extendDays, threads: threads.map((p) => p.id) },
    });
    return turn.outcome([]);
  }

  private schedule(
    turn: AgentTurn<ConciergeContext>,
    at: Date,
    attemptCount: number,
    priority: 'medium' | 'low',
  ): void {
    const { context } = turn;
    turn.effects.push({
      type: 'create_agent_task',
      userId: context.user.id,
      taskType: 're_engagement_check',
      agentType: 'concierge',
      scheduledFor: at,
      contextId: context.conversation.id,
      contextType: 'conversation',
      priority,
      replacePending: true,
      contextJson: { attemptCount, last_interaction_at: context.now.toISOString() },
    });
  }
}
