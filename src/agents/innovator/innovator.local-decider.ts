import { understand } from '../local/text-understanding';
import type { InnovatorContext } from './innovator.context';
import type {
  InnovatorDecision,
  InnovatorReengagementDecision,
  InnovatorThread,
  InnovatorToolCall,
} from './innovator-model.types';
import { missingProfileFields } from './innovator-profile';
import { isOwnTool } from './innovator-tools';
import { decideConciergeLocally } from '../concierge/concierge.local-decider';
import { askedIntro, awaitingItems, focusItem } from '../concierge/concierge-intent';
import { asksForNews } from '../concierge/concierge-phrasings';

/*
 * The local model's decisions for the Innovator: the plain phrasings an innovator uses for each
 * tool. It prefers no tool to a wrong one: anything unclear gets a clarifying question.
 */

const PROGRESS =
  /\b(?:progress|status|any (?:news|updates?)|how (?:are|is) (?:my|the|our) intros?|where (?:are|do) (?:we|things|my intros?) stand|update on (?:my |the |our )?intros?|intros? (?:update|status))\b/i;
const UPLOAD =
  /\b(?:upload|prospect list|target list|list of (?:prospects|targets|accounts)|send (?:you )?(?:my|our|a) (?:list|prospects|targets|csv|spreadsheet)|csv|spreadsheet)\b/i;
const FUNDING =
  /\b(?:(?:add|buy|top up|fund|purchase|get|load)\s+(?:more\s+|some\s+)?(?:\d[\d,]*\s+)?credits?|(?:more|fund(?:ing)?)\s+credits?|payment link|(?:i|we)(?:'ve| have)?\s+(?:just\s+)?(?:paid|wired|sent (?:the )?payment)|give me (?:\d[\d,]*\s+)?credits?)\b/i;
const CONNECT =
  /\b(?:meet|connect(?:ed)? (?:me )?(?:with|to)|intro(?:duce|duction)? (?:me )?to|talk to|speak (?:with|to))\s+([A-Z][\p{L}'’-]+)/u;
const CREDITS_AMOUNT = /(\d[\d,]{0,6})\s*(?:credits?|cr)\b/i;
const TARGET =
  /\b(?:target customers?|icp|ideal customer(?: profile)?|we sell to|our buyers? (?:is|are))\s*(?:is|are|:|=)?\s*(.{3,300})/i;
const SOLUTION = /\bwe (?:sell|build|make|offer|provide)\s+(?!to\b)(.{3,300})/i;
const COMPANY =
  /\b(?:(?:our|my) company(?: name)? is(?: now)?|we(?:'re| are) now called|we renamed (?:the company|ourselves) to)\s+(.{2,100})/i;
const WARM_BOUNTY = /\b(?:warm[- ]intro bounty|intro bounty)\b[^\d]{0,20}(\d{1,4})/i;
const ANSWERS = /\b(?:answers?|responses?|did anyone (?:answer|respond|reply)|heard back)\b/i;

const clean = (value: string): string => value.trim().replace(/[.!?\s]+$/, '');

function profileUpdate(text: string): Record<string, unknown> | null {
  const fields: Record<string, unknown> = {};
  const target = TARGET.exec(text)?.[1];
  if (target) fields.target_customer_profile = clean(target);
  const solution = SOLUTION.exec(text)?.[1];
  if (solution) fields.solution_description = clean(solution);
  const company = COMPANY.exec(text)?.[1];
  if (company) fields.company_name = clean(company);
  const bounty = WARM_BOUNTY.exec(text)?.[1];
  if (bounty) fields.warm_intro_bounty = Number(bounty);
  return Object.keys(fields).length > 0 ? fields : null;
}

export function decideInnovatorLocally(context: InnovatorContext, userTexts: readonly string[]): InnovatorDecision {
  const text = userTexts.join('\n').trim().slice(0, 2000);
  const none = (scenario: InnovatorDecision['scenario']): InnovatorDecision => ({
    scenario,
    tools: [],
    questions: [],
    guidance: null,
    replyTexts: [],
  });
  if (text === '') return none('general_response');
  // News of one named intro: the workflows check it and text the status (the Concierge's tool).
  const asked = asksForNews(userTexts) ? askedIntro(context, userTexts) : null;
  if (asked) {
    return {
      ...none('member_tool_acknowledgment'),
      tools: [{ name: 'follow_up_on_intro', input: { intro_id: asked.id } }],
    };
  }

  const tools: InnovatorToolCall[] = [];
  const amount = CREDITS_AMOUNT.exec(text)?.[1];
  const credits = amount ? Number(amount.replace(/,/g, '')) : undefined;

  const profile = profileUpdate(text);
  if (profile) tools.push({ name: 'update_innovator_profile', input: profile });

  const connect = CONNECT.exec(text)?.[1];
  if (connect) {
    const responder = context.ownRequests
      .flatMap((r) => r.responders)
      .find((r) => r.firstName?.toLowerCase() === connect.toLowerCase());
    if (responder) {
      tools.push({
        name: 'request_connection',
        input: { introducee_user_id: responder.userId, intro_context: clean(text), bounty_credits: credits ?? 0 },
      });
    } else {
      // Someone not in their context: never guess an id. "I want to meet X" is the Concierge's
      // publish_community_request (its intent rule), decided by its own local decider below.
      return decideAsConcierge(context, userTexts) ?? { ...none('clarify'), guidance: 'unknown_person' };
    }
  }
  if (!connect && FUNDING.test(text))
    tools.push({ name: 'request_credit_funding', input: credits ? { amount: credits } : {} });
  if (UPLOAD.test(text)) tools.push({ name: 'upload_prospects', input: {} });
  if (PROGRESS.test(text) && !profile) tools.push({ name: 'check_intro_progress', input: {} });

  if (tools.length > 0) return { ...none(scenarioFor(tools[0].name)), tools: tools.slice(0, 3) };

  const member = decideAsConcierge(context, userTexts);
  if (member) return member;

  if (ANSWERS.test(text) && context.ownRequests.some((r) => r.responders.length > 0)) {
    return none('community_response_shared');
  }
  const understood = understand(userTexts, null);
  if (understood.questions.length > 0) return { ...none('answer_question'), questions: understood.questions };
  if (understood.thanksOnly) return none('no_message');
  if (missingProfileFields(context.profile).length > 0) return none('profile_update_prompt');
  return none('general_response');
}

/**
 * The Concierge's local decider for what any member says (yes or no to an intro offered to them,
 * "I can intro you to...", "I want to meet...", a goal, an answer to a community question): its
 * tool calls, or its clarifying question. Null when it found nothing to do.
 */
function decideAsConcierge(context: InnovatorContext, userTexts: readonly string[]): InnovatorDecision | null {
  const texts = [...userTexts];
  const items = awaitingItems(context);
  const decided = decideConciergeLocally({ texts, items, focus: focusItem(context, items), context, mentionIds: [] });
  if (decided.toolCalls.length > 0) {
    return {
      scenario: 'member_tool_acknowledgment',
      tools: decided.toolCalls.map((call) => ({ name: call.name, input: call.input })),
      questions: [],
      guidance: null,
      replyTexts: [],
    };
  }
  if (decided.scenario === 'request_clarification') {
    return {
      scenario: 'clarify',
      tools: [],
      questions: [],
      guidance: null,
      replyTexts: [],
      clarifyingQuestion: decided.clarifyingQuestion,
    };
  }
  return null;
}

export function scenarioFor(toolName: string): InnovatorDecision['scenario'] {
  switch (toolName) {
    case 'check_intro_progress':
      return 'intro_progress_report';
    case 'update_innovator_profile':
      return 'profile_update_acknowledgment';
    case 'upload_prospects':
      return 'prospect_upload_guidance';
    case 'request_credit_funding':
      return 'credit_funding_offer';
    case 'request_connection':
      return 'connection_request_acknowledgment';
    default:
      return isOwnTool(toolName) ? 'general_response' : 'member_tool_acknowledgment';
  }
}

/** Credits below this make bounties hard to offer: worth a funding nudge. */
export const LOW_CREDITS = 50;

/** The threads worth a proactive text, from the context alone (threads). */
export function openThreads(context: InnovatorContext): InnovatorThread[] {
  const threads: InnovatorThread[] = [];
  if (context.intros.length > 0) threads.push('intro_progress_update');
  if (missingProfileFields(context.profile).length > 0) threads.push('profile_update_needed');
  if (context.prospects.total === 0) threads.push('prospect_upload_reminder');
  if (context.availableCredits < LOW_CREDITS) threads.push('credit_funding_needed');
  return threads.slice(0, 3);
}

export function decideInnovatorReengagementLocally(context: InnovatorContext): InnovatorReengagementDecision {
  const threads = openThreads(context);
  if (threads.length === 0) {
    return { shouldMessage: false, extendDays: 30, threads: [], reason: 'nothing open worth a text' };
  }
  return { shouldMessage: true, extendDays: 14, threads, reason: `open threads: ${threads.join(', ')}` };
}
