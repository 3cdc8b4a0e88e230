import { renderConciergeTemplate } from '../concierge/concierge.templates';
import { PRODUCT_FACTS, type QuestionTopic } from '../product/product-facts';
import type { InnovatorRenderFacts, InnovatorThread, IntroLine } from './innovator-model.types';

/**
 * The Innovator's voice as deterministic templates: ROI-focused, under 200 characters a text, no
 * emoji, no names but those of real rows. The local model's prose and every reply's fallback.
 */
export const INNOVATOR_MAX_CHARS = 200;
const MAX_SENTENCES = 3;

const STATUS: Record<IntroLine['kind'], Record<string, string>> = {
  intro_opportunity: {
    open: 'a connector has been asked',
    presented: 'a connector is considering it',
    pending: 'a connector is considering it',
    accepted: 'a connector agreed and is arranging it',
  },
  connection_request: {
    open: 'your request is waiting for their answer',
    presented: 'your request is with them',
    pending: 'your request is with them',
    accepted: 'they said yes',
  },
  intro_offer: {
    pending_introducee_response: 'offered to you, waiting for your yes or no',
    pending_connector_confirmation: 'you accepted, waiting for the intro',
  },
};

export function introSentence(intro: IntroLine): string {
  const who = intro.personName ?? 'A prospect';
  const at = intro.company ? ` (${intro.company})` : '';
  const state = STATUS[intro.kind][intro.status] ?? `status ${intro.status.replace(/_/g, ' ')}`;
  return `${who}${at}: ${state}.`;
}

/** Sentences packed into texts of at most 3 sentences and 200 characters. */
export function pack(sentences: readonly string[], maxTexts = 3): string[] {
  const texts: string[] = [];
  let current: string[] = [];
  for (const sentence of sentences) {
    const candidate = [...current, sentence].join(' ');
    if (current.length > 0 && (current.length >= MAX_SENTENCES || candidate.length > INNOVATOR_MAX_CHARS)) {
      texts.push(current.join(' '));
      current = [];
    }
    current.push(sentence);
  }
  if (current.length > 0) texts.push(current.join(' '));
  return texts.slice(0, maxTexts);
}

function progressReport(facts: InnovatorRenderFacts): string[] {
  if (facts.intros.length === 0) {
    return facts.prospectsTotal === 0
      ? ['No intros in flight yet. Send me your target list and I will start matching; ask for an upload link.']
      : [`No intros in flight yet. I am matching your ${facts.prospectsTotal} prospects with members who know them.`];
  }
  const shown = facts.intros.slice(0, 6);
  const header = `${facts.intros.length} intro${facts.intros.length === 1 ? '' : 's'} in flight.`;
  const more = facts.intros.length > shown.length ? [`${facts.intros.length - shown.length} more in progress.`] : [];
  return pack([header, ...shown.map(introSentence), ...more]);
}

const factFor = (topic: QuestionTopic): string =>
  topic === 'other' ? 'I don’t have an answer for that one yet.' : PRODUCT_FACTS[topic];

const ACKNOWLEDGE = [
  'Noted. Which accounts would move the needle most for you this quarter?',
  'Got it. Who is the decision-maker you most want in front of?',
  'Understood.',
];

function pick(candidates: string[], previous: readonly string[]): string {
  const used = new Set(previous.map((text) => text.trim()));
  return candidates.find((text) => !used.has(text)) ?? candidates[0];
}

const FIELD_WORDS: Record<string, string> = {
  company_name: 'company name',
  solution_description: 'solution',
  categories: 'categories',
  target_customer_profile: 'target customer',
  warm_intro_bounty: 'warm intro bounty',
};

export function renderInnovatorTemplate(facts: InnovatorRenderFacts): string[] {
  switch (facts.scenario) {
    case 'no_message':
      return [];
    case 'answer_question':
      if (facts.questions.length > 0) return facts.questions.slice(0, 2).map(factFor);
      return [pick(ACKNOWLEDGE, facts.previousReplies)];
    case 'clarify':
      if (facts.clarifyingQuestion) return [facts.clarifyingQuestion];
      return ['Do you want a progress report on your intros, to update your profile, or to add prospects?'];
    case 'intro_progress_report':
    case 'intro_progress_followup':
      return progressReport(facts);
    case 'connection_request_acknowledgment': {
      const who = facts.connection?.firstName ?? 'them';
      const bounty = facts.connection && facts.connection.bountyCredits > 0;
      return [
        bounty
          ? `Done: I asked ${who} to connect, with a ${facts.connection?.bountyCredits}-credit bounty held from your balance. I will tell you when they answer.`
          : `Done: I asked ${who} to connect. I will tell you when they answer.`,
      ];
    }
    case 'bounty_above_balance':
      if (facts.refusedOfferBounty !== null) {
        return [
          `Accepting that intro holds your warm intro bounty of ${facts.refusedOfferBounty} credits, above your available credits (${Math.max(0, facts.availableCredits)}). Add credits first, or lower your warm intro bounty?`,
        ];
      }
      return [
        `That bounty is above your available credits (${Math.max(0, facts.availableCredits)}). Want me to send the request with a smaller bounty, or add credits first?`,
      ];
    case 'profile_update_acknowledgment': {
      const fields = facts.profileUpdated.map((f) => FIELD_WORDS[f] ?? f);
      return [fields.length > 0 ? `Updated your ${fields.join(', ')}. Better matching starts now.` : 'Noted.'];
    }
    case 'profile_update_prompt': {
      const missing = facts.profileMissing.map((f) => FIELD_WORDS[f] ?? f);
      return missing.length > 0
        ? [`To target intros well I still need your ${missing.slice(0, 2).join(' and ')}. A sentence each is enough.`]
        : ['Anything changed in who you sell to? A sharper target profile gets better intros.'];
    }
    case 'prospect_upload_guidance':
      if (!facts.upload) return ['Ask me for an upload link and I will send one for your prospect list.'];
      return [
        `Your private upload link, valid ${facts.upload.expiresInHours} hours: ${facts.upload.url}`,
        'A CSV with name, company and title per row is enough.',
      ];
    case 'credit_funding_offer': {
      const link = facts.funding?.placeholderLink ?? '';
      const amount = facts.funding?.amount ? ` for ${facts.funding.amount} credits` : '';
      return [
        `Payments are not live yet, so this is a placeholder link${amount}: ${link}`,
        `Your credits change only when a payment settles. Available now: ${Math.max(0, facts.availableCredits)}.`,
      ];
    }
    case 'credit_funding_acknowledgment':
      return [`Thanks. Credits appear once a payment settles; available now: ${Math.max(0, facts.availableCredits)}.`];
    case 'community_response_shared': {
      const answers = facts.responses.slice(0, 2).map((r) => {
        const who = r.firstName ?? 'A member';
        const summary = r.summary?.trim().replace(/[.!?]*$/, '.');
        return summary ? `${who} answered your question: ${summary}` : `${who} answered your question.`;
      });
      return answers.length > 0
        ? pack([...answers, 'Want me to request an intro?'])
        : ['No answers to your questions yet. I will tell you when one arrives.'];
    }
    case 'member_tool_acknowledgment':
      // The Concierge's own words for what its tools did (names only from their outcomes).
      return renderConciergeTemplate({
        scenario: 'general_response',
        firstName: facts.firstName,
        questions: [],
        outcomes: facts.outcomes,
        clarification: null,
        mention: null,
        previousReplies: facts.previousReplies,
      });
    case 'general_response':
      return [pick(ACKNOWLEDGE, facts.previousReplies)];
  }
}

/** Re-engagement: one short text per thread, in order. */
export function renderInnovatorNudge(threads: readonly InnovatorThread[], facts: InnovatorRenderFacts): string[] {
  const sentences: string[] = [];
  for (const thread of threads) {
    if (thread === 'intro_progress_update') {
      const accepted = facts.intros.filter((i) => i.status === 'accepted').length;
      sentences.push(
        accepted > 0
          ? `Update: ${accepted} of your ${facts.intros.length} intros moved forward. Reply "progress" for details.`
          : `${facts.intros.length} of your intros are in flight. Reply "progress" for details.`,
      );
    } else if (thread === 'profile_update_needed') {
      sentences.push('A sharper target customer profile gets you better intros. What changed in who you sell to?');
    } else if (thread === 'prospect_upload_reminder') {
      sentences.push('Share your target prospect list and I will look for warm paths in. Want an upload link?');
    } else {
      sentences.push(
        `Your available credits are down to ${Math.max(0, facts.availableCredits)}, which limits bounties. Want a link to add more?`,
      );
    }
  }
  return pack(sentences, 3);
}
