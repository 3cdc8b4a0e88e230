import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { AgentTool } from '../kit/agent-tool';
import type { AgentTurn } from '../kit/agent-turn';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import type { ConciergeContext, ConciergePriority } from './concierge.context';
import { conciergeDecisionTool } from './concierge-decision.tool';
import {
  awaitingItems,
  focusItem,
  isItemTool,
  ITEM_TOOLS,
  mentionable,
  mentionCandidates,
  mentionText,
  relatesToTurn,
  turnTopicIds,
} from './concierge-intent';
import { decideConciergeLocally } from './concierge.local-decider';
import type { ConciergeRenderFacts, ConciergeScenario, ConciergeToolName, ToolOutcome } from './concierge-model.types';
import { apologises, isBareAnswer, offersIntro, soundsFrustrated, wantsToMeet } from './concierge-phrasings';
import {
  CONCIERGE_RENDER_SYSTEM,
  conciergeDecisionState,
  conciergeDecisionSystem,
  conciergeRenderState,
} from './concierge.prompts';
import { conciergeTone, previousConciergeReplies } from './concierge-reply';
import { presentPriority } from './concierge-presentation';
import { renderConciergeTemplate } from './concierge.templates';
import { CONCIERGE_TOOLS } from './tools/concierge-tools';
import { PUBLISH_COMMUNITY_REQUEST_TOOL } from './tools/publish-community-request.tool';

const DECIDE_MAX_TOKENS = 800;
const RENDER_MAX_TOKENS = 500;

const SCENARIO_OF_TOOL: Record<ConciergeToolName, ConciergeScenario> = {
  publish_community_request: 'community_request_acknowledgment',
  request_solution_research: 'solution_research_acknowledgment',
  offer_introduction: 'intro_offer_acknowledgment',
  accept_intro_opportunity: 'intro_opportunity_acknowledgment',
  decline_intro_opportunity: 'intro_opportunity_acknowledgment',
  accept_intro_offer: 'intro_offer_acknowledgment',
  decline_intro_offer: 'intro_offer_acknowledgment',
  confirm_intro_offer: 'intro_offer_acknowledgment',
  accept_connection_request: 'connection_request_acknowledgment',
  decline_connection_request: 'connection_request_acknowledgment',
  store_user_goal: 'goal_stored_acknowledgment',
  record_community_response: 'community_response_acknowledgment',
  follow_up_on_intro: 'intro_followup_acknowledgment',
};
const TOOL_SCENARIOS = new Set<ConciergeScenario>(Object.values(SCENARIO_OF_TOOL));

type Tool = AgentTool<ConciergeContext, unknown, ToolOutcome>;

/**
 * The Concierge's answer to a member's texts: one decision names the tools, the intent
 * rules are enforced in code, the tools run through the kit (parse, the one authorize rule,
 * plan), a proactive mention is allowed only by the rules, and the reply is the decision's own
 * text unless a tool's result or a rule changed what it must say.
 */
@Injectable()
export class ConciergeAnswerFlow {
  constructor(private readonly turns: AgentTurns) {}

  async run(context: ConciergeContext, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('concierge', context, signal);
    const texts = context.trigger.kind === 'message' ? context.trigger.userTexts : [];
    const emailVerifiedAck = context.trigger.kind === 'message' && context.trigger.emailVerifiedAck;
    const items = awaitingItems(context);
    const focus = focusItem(context, items);
    const topicIds = turnTopicIds(items, texts, focus);
    const candidates = mentionCandidates(context, topicIds, texts);

    const decision = await turn.decide({
      purpose: 'concierge.decide',
      prompt: {
        staticSystem: conciergeDecisionSystem(turn.pipeline),
        dynamicSystem: conciergeDecisionState(context, items, candidates),
        turns: chatTurns(
          context.history,
          emailVerifiedAck && texts.length === 0 ? '(My email was verified.)' : undefined,
        ),
        maxTokens: DECIDE_MAX_TOKENS,
      },
      tool: conciergeDecisionTool(turn.pipeline),
      local: () => decideConciergeLocally({ texts, items, focus, context, mentionIds: candidates.map((p) => p.id) }),
    });

    // The decision's reply stands only if nothing below changes what it must say.
    let draftHolds = true;
    let calls = decision.toolCalls;
    if (decision.scenario === 'request_clarification' && calls.length > 0) {
      turn.log.add('intent_rule_applied', {
        output_data: { rule: 'clarification_runs_no_tool', dropped: calls.length },
      });
      calls = [];
    }

    const outcomes: ToolOutcome[] = [];
    let refused = 0;
    let unrelated = 0;
    for (const call of calls) {
      let tool: Tool | undefined = CONCIERGE_TOOLS.get(call.name as ConciergeToolName);
      if (!tool) {
        turn.refuse(call.name || '(none)', 'unknown tool');
        refused += 1;
        continue;
      }
      let raw = call.input;
      if (tool.name === 'offer_introduction' && wantsToMeet(texts) && !offersIntro(texts)) {
        // "I want to meet X" is a request to the network, never an offer.
        turn.log.add('intent_rule_applied', { output_data: { rule: 'want_to_meet_is_a_request' } });
        tool = PUBLISH_COMMUNITY_REQUEST_TOOL;
        raw = { question: texts.join(' '), desired_outcome: 'introduction' };
        draftHolds = false;
      }
      const parsed = turn.parse(tool, raw);
      if (!parsed.ok) {
        refused += 1;
        continue;
      }
      const kind = ITEM_TOOLS[tool.name as ConciergeToolName];
      const itemId = kind ? isItemTool(tool.name, parsed.input) : null;
      if (
        kind &&
        itemId &&
        context.ids.has(kind, itemId) &&
        !relatesToTurn({ kind, id: itemId }, items, texts, focus)
      ) {
        turn.refuse(tool.name, 'the message is not about this item');
        turn.log.add('intent_rule_applied', {
          output_data: { rule: 'unrelated_message_changes_nothing', tool: tool.name },
        });
        unrelated += 1;
        continue;
      }
      const result = await turn.usePlanned(tool, parsed.input);
      if (result.ok) outcomes.push(result.facts);
      else refused += 1;
    }

    let scenario = finalScenario(decision.scenario, outcomes, refused + unrelated);
    let options: string[] = [];
    if (outcomes.length === 0 && isBareAnswer(texts) && !focus && items.length >= 2) {
      // An ambiguous yes or no: ask which, run nothing.
      scenario = 'request_clarification';
    }
    if (scenario === 'request_clarification') options = items.slice(0, 3).map((item) => item.label);
    if (scenario !== decision.scenario || refused + unrelated > 0) draftHolds = false;

    // The original's post_clarification_context, decided in code on both models: the model's reading
    // of frustration and the plain phrasings both count; right after a clarifying question, the
    // reply owns the confusion first. A frustrated member gets no proactive mention (a stress signal).
    const frustrated = decision.frustrationDetected || soundsFrustrated(texts);
    const acknowledgeConfusion = frustrated && context.hadRecentClarification;
    if (frustrated || context.hadRecentClarification) {
      turn.log.add('post_clarification_context', {
        output_data: {
          had_recent_clarification: context.hadRecentClarification,
          frustration_detected: frustrated,
          should_acknowledge_confusion: acknowledgeConfusion,
        },
      });
    }

    const mention = this.mention(turn, frustrated ? null : decision.proactivePriorityId, topicIds, texts, scenario);
    if (frustrated && decision.proactivePriorityId) {
      turn.log.add('proactive_mention_vetoed', {
        output_data: { priority_id: decision.proactivePriorityId, reason: 'frustration' },
      });
    }
    if (decision.proactivePriorityId && !mention) draftHolds = false;

    const facts: ConciergeRenderFacts = {
      scenario,
      firstName: context.user.firstName,
      questions: decision.questions,
      outcomes,
      clarification:
        scenario === 'request_clarification'
          ? {
              // The one-call decision's question is its reply; the two-call reference names it apart.
              question: draftHolds ? (decision.clarifyingQuestion ?? decision.replyTexts[0] ?? null) : null,
              options,
            }
          : null,
      mention: mention ? { priorityId: mention.id, text: mentionText(mention) } : null,
      previousReplies: previousConciergeReplies(context),
      acknowledgeConfusion,
    };
    let replies: string[] = [];
    if (scenario === 'emoji_reply_only') replies = ['👍'];
    else if (scenario !== 'no_message') {
      replies = await turn.reply({
        purpose: 'concierge.render',
        scenario,
        prompt: {
          staticSystem: CONCIERGE_RENDER_SYSTEM,
          dynamicSystem: conciergeRenderState(facts),
          turns: chatTurns(context.history),
          maxTokens: RENDER_MAX_TOKENS,
        },
        template: () => renderConciergeTemplate(facts),
        tone: conciergeTone(
          context,
          outcomes.map((o) => o.subject),
        ),
        // After a clarifying question, a frustrated member's reply must own the confusion.
        accept: (replyTexts) => replyTexts.length > 0 && (!acknowledgeConfusion || apologises(replyTexts)),
        drafted: draftHolds ? decision.replyTexts : null,
      });
    }
    turn.log.add('concierge_turn', {
      output_data: {
        scenario,
        tools: outcomes.map((o) => o.tool),
        refused,
        unrelated,
        mention: mention?.id ?? null,
        replies: replies.length,
      },
    });
    return turn.outcome(replies);
  }

  /** A proactive mention, only when the rules allow it; counted as a presentation. */
  private mention(
    turn: AgentTurn<ConciergeContext>,
    priorityId: string | null,
    topicIds: ReadonlySet<string>,
    texts: readonly string[],
    scenario: ConciergeScenario,
  ): ConciergePriority | null {
    if (priorityId === null) return null;
    const { context } = turn;
    const priority = context.ids.has('user_priority', priorityId)
      ? context.priorities.find((p) => p.id === priorityId.toLowerCase())
      : undefined;
    const allowed =
      priority !== undefined &&
      scenario !== 'request_clarification' &&
      scenario !== 'no_message' &&
      scenario !== 'emoji_reply_only' &&
      mentionable(context, priority, topicIds, texts);
    if (!allowed || !priority) {
      turn.log.add('proactive_mention_vetoed', { output_data: { priority_id: priority?.id ?? null } });
      return null;
    }
    presentPriority(turn, priority, 'natural');
    return priority;
  }
}

function finalScenario(proposed: ConciergeScenario, outcomes: ToolOutcome[], refused: number): ConciergeScenario {
  if (outcomes.length > 0) return SCENARIO_OF_TOOL[outcomes[0].tool];
  if (refused > 0) return 'request_clarification';
  if (TOOL_SCENARIOS.has(proposed)) return 'general_response';
  return proposed;
}
