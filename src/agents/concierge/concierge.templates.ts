import { PRODUCT_FACTS, type QuestionTopic } from '../product/product-facts';
import type { ConciergeRenderFacts, ToolOutcome } from './concierge-model.types';

/**
 * The Concierge's voice as deterministic templates (warm but brief, no exclamation
 * points, never fawning, never invents people or promises outcomes). The local model renders with
 * them and every model falls back to them. Names come only from the tool outcomes.
 */
const fact = (topic: QuestionTopic): string =>
  topic === 'other' ? 'I don’t have an answer for that one yet.' : PRODUCT_FACTS[topic];

function outcomeText(outcome: ToolOutcome): string {
  const who = outcome.subject;
  switch (outcome.tool) {
    case 'publish_community_request':
      return 'I’ll ask around the network and come back to you with what I hear.';
    case 'request_solution_research':
      return 'I’ll look into options for that and get back to you.';
    case 'offer_introduction':
      return who
        ? `Thanks for offering the intro to ${who}. I’ll check it’s wanted and come back to you.`
        : 'Thanks for the offer. I’ll check it’s wanted and come back to you.';
    case 'accept_intro_opportunity':
      return who ? `Thanks, I’ll set up the intro to ${who}.` : 'Thanks, I’ll set up that intro.';
    case 'decline_intro_opportunity':
      return who ? `Understood, I’ll pass on ${who}.` : 'Understood, I’ll pass on that one.';
    case 'accept_intro_offer':
      return who ? `Noted, I’ll let them know you’d like the intro to ${who}.` : 'Noted, I’ll let them know.';
    case 'decline_intro_offer':
      return 'Understood, I’ll let them know you’ll pass.';
    case 'confirm_intro_offer':
      return who ? `Thanks for making the intro to ${who}.` : 'Thanks for making the intro.';
    case 'accept_connection_request':
      return who ? `Noted, I’ll connect you with ${who}.` : 'Noted, I’ll make the connection.';
    case 'decline_connection_request':
      return 'Understood, I’ll decline that one for you.';
    case 'store_user_goal':
      return 'Noted. I’ll keep that goal in mind when something relevant comes up.';
    case 'record_community_response':
      return 'Thanks, I’ll pass that along.';
    case 'follow_up_on_intro':
      return who
        ? `I’ll check where your intro with ${who} stands and text you shortly.`
        : 'I’ll check where that intro stands and text you shortly.';
  }
}

const ACKNOWLEDGE = ['Got it, thanks for the note.', 'Noted.', 'Thanks, noted.'];

function pick(candidates: string[], previous: readonly string[]): string {
  const used = new Set(previous.map((text) => text.trim()));
  return candidates.find((text) => !used.has(text)) ?? candidates[0];
}

export function renderConciergeTemplate(facts: ConciergeRenderFacts): string[] {
  const texts: string[] = [];
  switch (facts.scenario) {
    case 'no_message':
      return [];
    case 'emoji_reply_only':
      return ['👍'];
    case 'request_clarification': {
      const options = facts.clarification?.options ?? [];
      if (facts.clarification?.question) texts.push(facts.clarification.question);
      else if (options.length >= 2) texts.push(`Just to be sure, is that about ${options.slice(0, 3).join(' or ')}?`);
      else if (options.length === 1) texts.push(`Just to be sure, is that about ${options[0]}?`);
      else texts.push('Sorry, could you say a bit more about what you’d like me to do?');
      break;
    }
    case 'answer_question':
      texts.push(
        ...(facts.questions.length > 0
          ? facts.questions.slice(0, 2).map(fact)
          : [pick(ACKNOWLEDGE, facts.previousReplies)]),
      );
      break;
    default:
      if (facts.outcomes.length > 0) texts.push(facts.outcomes.map(outcomeText).join(' '));
      else texts.push(pick(ACKNOWLEDGE, facts.previousReplies));
  }
  if (facts.mention) texts.push(`While I have you: ${facts.mention.text}. Want me to follow up on it?`);
  if (facts.acknowledgeConfusion && texts.length > 0) texts[0] = `Sorry for the confusion. ${texts[0]}`;
  return texts;
}

/** A proactive text about the member's open threads (re-engagement), never naming anyone new. */
export function renderConciergeNudge(topics: readonly string[]): string[] {
  if (topics.length === 0) return ['Checking in. Anything I can help with this week?'];
  if (topics.length === 1) return [`Checking in on one thing: ${topics[0]}. Want me to move on it?`];
  return [`Checking in on a couple of things: ${topics.slice(0, 3).join('; ')}. Want me to move on any of them?`];
}
