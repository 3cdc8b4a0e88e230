import { understand } from '../local/text-understanding';
import type { ConciergeContext } from './concierge.context';
import type { AwaitingItem } from './concierge-intent';
import { askedIntro, namedItems } from './concierge-intent';
import type {
  ConciergeDecision,
  ConciergeReengagementDecision,
  ConciergeScenario,
  ProposedToolCall,
} from './concierge-model.types';
import {
  asksForNews,
  asksForResearch,
  madeIntro,
  offeredProspect,
  offersIntro,
  saysNo,
  saysYes,
  showsStress,
  statedGoal,
  wantsToMeet,
} from './concierge-phrasings';

export interface ConciergeLocalInput {
  texts: string[];
  items: AwaitingItem[];
  focus: AwaitingItem | null;
  context: ConciergeContext;
  /** Priorities the mention rule allows, best first. */
  mentionIds: string[];
}

const decision = (
  scenario: ConciergeScenario,
  toolCalls: ProposedToolCall[] = [],
  extra: Partial<ConciergeDecision> = {},
): ConciergeDecision => ({
  scenario,
  toolCalls,
  proactivePriorityId: null,
  clarifyingQuestion: null,
  questions: [],
  replyTexts: [],
  frustrationDetected: false,
  ...extra,
});

const ANSWER_TOOLS: Record<AwaitingItem['kind'], { yes: string; no: string; idKey: string } | null> = {
  intro_opportunity: {
    yes: 'accept_intro_opportunity',
    no: 'decline_intro_opportunity',
    idKey: 'intro_opportunity_id',
  },
  intro_offer_to_answer: { yes: 'accept_intro_offer', no: 'decline_intro_offer', idKey: 'intro_offer_id' },
  intro_offer_to_confirm: null,
  connection_request: {
    yes: 'accept_connection_request',
    no: 'decline_connection_request',
    idKey: 'connection_request_id',
  },
  community_request: null,
};

/** The local model's decision for the Concierge: the plain phrasings a member uses, over the structured context. */
export function decideConciergeLocally(input: ConciergeLocalInput): ConciergeDecision {
  const chosen = decideIntent(input);
  const isAction = chosen.toolCalls.length > 0 || chosen.scenario === 'answer_question';
  if (isAction && input.mentionIds.length > 0 && !showsStress(input.texts)) {
    chosen.proactivePriorityId = input.mentionIds[0];
  }
  return chosen;
}

function decideIntent({ texts, items, focus, context }: ConciergeLocalInput): ConciergeDecision {
  if (texts.length === 0) return decision('general_response');
  const text = texts.join(' ').trim();
  const understood = understand(texts, null);

  if (offersIntro(texts)) {
    const prospect = offeredProspect(texts);
    const request = context.pendingRequest ?? (context.openRequests.length === 1 ? context.openRequests[0] : null);
    if (prospect && request) {
      return decision('intro_offer_acknowledgment', [
        {
          name: 'offer_introduction',
          input: { community_request_id: request.id, prospect_name: prospect, context: text },
        },
      ]);
    }
    return decision('request_clarification', [], { clarifyingQuestion: 'Who would that intro be for?' });
  }
  if (wantsToMeet(texts)) {
    return decision('community_request_acknowledgment', [
      {
        name: 'publish_community_request',
        input: { question: text, desired_outcome: 'introduction', request_summary: summaryOf(text) },
      },
    ]);
  }
  const asked = asksForNews(texts) ? askedIntro(context, texts) : null;
  if (asked) {
    return decision('intro_followup_acknowledgment', [{ name: 'follow_up_on_intro', input: { intro_id: asked.id } }]);
  }
  if (madeIntro(texts)) {
    const toConfirm = items.filter((item) => item.kind === 'intro_offer_to_confirm');
    const named = namedItems(toConfirm, texts);
    const target = named.length === 1 ? named[0] : toConfirm.length === 1 ? toConfirm[0] : null;
    if (target) {
      return decision('intro_offer_acknowledgment', [
        { name: 'confirm_intro_offer', input: { intro_offer_id: target.id } },
      ]);
    }
  }
  const yes = saysYes(texts);
  const no = saysNo(texts);
  if (yes || no) {
    const answerable = items.filter((item) => ANSWER_TOOLS[item.kind] !== null);
    const named = namedItems(answerable, texts);
    const target =
      named.length === 1 ? named[0] : named.length === 0 && focus && ANSWER_TOOLS[focus.kind] ? focus : null;
    if (target) {
      const tools = ANSWER_TOOLS[target.kind];
      if (tools) {
        const name = yes ? tools.yes : tools.no;
        return decision(scenarioOf(target.kind), [{ name, input: { [tools.idKey]: target.id } }]);
      }
    }
    if (answerable.length > 0 && (named.length > 1 || !focus)) {
      return decision('request_clarification');
    }
  }
  const goal = statedGoal(texts);
  if (goal) return decision('goal_stored_acknowledgment', [{ name: 'store_user_goal', input: { goal } }]);
  if (asksForResearch(texts)) {
    return decision('solution_research_acknowledgment', [
      { name: 'request_solution_research', input: { request_description: text } },
    ]);
  }
  if (understood.questions.length > 0) return decision('answer_question', [], { questions: understood.questions });
  if (understood.thanksOnly) return decision('emoji_reply_only');
  if (context.pendingRequest && text.length >= 15 && !text.endsWith('?')) {
    return decision('community_response_acknowledgment', [
      {
        name: 'record_community_response',
        input: { community_request_id: context.pendingRequest.id, response_summary: text.slice(0, 300) },
      },
    ]);
  }
  return decision('general_response');
}

function scenarioOf(kind: AwaitingItem['kind']): ConciergeScenario {
  if (kind === 'intro_opportunity') return 'intro_opportunity_acknowledgment';
  if (kind === 'connection_request') return 'connection_request_acknowledgment';
  return 'intro_offer_acknowledgment';
}

function summaryOf(text: string): string {
  const words = text
    .replace(/[^\p{L}\p{N}\s'’-]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  return words.slice(-5).join(' ');
}

/** Re-engagement: speak when something valuable waits and the member has not asked for space. */
export function decideConciergeReengagementLocally(context: ConciergeContext): ConciergeReengagementDecision {
  const lastUserText = [...context.history].reverse().find((m) => m.role === 'user')?.content ?? '';
  if (showsStress([lastUserText])) {
    return {
      shouldMessage: false,
      reason: 'the member asked for space',
      extendDays: 30,
      threadPriorityIds: [],
      replyTexts: [],
    };
  }
  const threads = context.priorities.filter((p) => (p.valueScore ?? 0) > 50).slice(0, 3);
  if (threads.length === 0) {
    return {
      shouldMessage: false,
      reason: 'nothing worth a text',
      extendDays: 30,
      threadPriorityIds: [],
      replyTexts: [],
    };
  }
  return {
    shouldMessage: true,
    reason: 'open priorities await the member',
    extendDays: 14,
    threadPriorityIds: threads.map((p) => p.id),
    replyTexts: [],
  };
}
