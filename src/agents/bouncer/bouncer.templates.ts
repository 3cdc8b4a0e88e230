import { PRODUCT_FACTS } from '../product/product-facts';
import type { BouncerRenderFacts, BouncerScenario } from './bouncer-model.types';

/**
 * The Bouncer's voice as deterministic templates (tone: velvet rope, brief, dry, no
 * exclamation points). The local model renders with them, and the agent falls back to them when a
 * model's prose does not survive the tone rules. Each template is at most two sentences.
 */
type Ask = (facts: BouncerRenderFacts) => string[];

const ASKS: Record<Exclude<BouncerScenario, 'emoji_reply_only' | 'no_message'>, Ask> = {
  ask_for_referrer: () => ['Who told you about this?', 'Who sent you my way?', 'Who should I thank for sending you?'],
  ask_for_name: () => ['What’s your name?', 'And you are?', 'Who am I talking to?'],
  ask_for_last_name: () => ['Last name too, or are you like Madonna?', 'And your last name?'],
  ask_for_company_and_title: () => [
    'Where do you work, and what’s your title?',
    'What company are you with, and what do you do there?',
    'Company and title?',
  ],
  request_email_verification: (f) => [
    `Last step: send a quick email from your work address to ${f.verificationAddress} so we can verify you.`,
    `To verify, email ${f.verificationAddress} from your work address.`,
  ],
  email_verification_received: () => [
    'Got your email, you’re all set on my end. The team reviews every member by hand, usually within a day or two.',
    'Email received. The team will review and get back to you, usually in a day or two.',
  ],
  acknowledge_completion: () => [
    'That’s everything I need. The team will review and get back to you, usually in a day or two.',
    'You’re all set on my end. Expect to hear from the team in a day or two.',
  ],
  general_response: () => [
    'Nothing more needed from you for now. The team usually reviews within a day or two.',
    'You’re in the review queue. It usually takes a day or two.',
    'All good on my end. The team usually gets back within a day or two.',
  ],
};

const NUDGES = ['Still interested?', 'Checking back in.', 'Picking this back up.'];

function acknowledgment(facts: BouncerRenderFacts): string[] {
  if (facts.emailJustVerified) return ['Got your email.'];
  if (facts.acknowledged.includes('first_name') && facts.firstName) {
    return [`Nice to meet you, ${facts.firstName}.`, `Thanks, ${facts.firstName}.`];
  }
  if (facts.acknowledged.length > 0) return ['Got it.', 'Noted.', 'Thanks.'];
  return [''];
}

const join = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');

/**
 * Deterministic variety: the first question and the first opening not yet used in this
 * conversation (a question asked again is worded differently where possible).
 */
function pick(asks: readonly string[], leads: readonly string[], previous: readonly string[]): string {
  const sent = previous.map((text) => text.trim());
  const freshFirst = (options: readonly string[]): string[] => {
    const fresh = options.find((option) => !sent.some((text) => text.includes(option))) ?? options[0];
    return [fresh, ...options.filter((option) => option !== fresh)];
  };
  const orderedLeads = freshFirst(leads);
  const combos = freshFirst(asks).flatMap((ask) => orderedLeads.map((lead) => join(lead, ask)));
  return combos.find((text) => !sent.includes(text)) ?? combos[0];
}

export function renderBouncerTemplate(facts: BouncerRenderFacts): string[] {
  if (facts.scenario === 'no_message') return [];
  if (facts.scenario === 'emoji_reply_only') return ['👍'];
  const texts = facts.questions.slice(0, 2).map((topic) => PRODUCT_FACTS[topic]);
  const asks = ASKS[facts.scenario](facts);
  const firstContact = facts.previousReplies.length === 0 && facts.scenario === 'ask_for_referrer';
  let leads: string[];
  if (facts.nudge) leads = NUDGES;
  else if (firstContact && texts.length === 0 && facts.acknowledged.length === 0)
    leads = ['Hey, I’m the bouncer here.'];
  else leads = acknowledgment(facts);
  // Completion and status texts already open with their own acknowledgment.
  const standalone = ['email_verification_received', 'acknowledge_completion', 'general_response'].includes(
    facts.scenario,
  );
  texts.push(pick(asks, standalone ? [''] : leads, facts.previousReplies));
  return texts;
}
