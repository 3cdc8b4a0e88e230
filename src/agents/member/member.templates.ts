import { PRODUCT_FACTS, type QuestionTopic } from '../product/product-facts';
import type { MemberAgentName, MemberRenderFacts } from './member-model.types';

/**
 * The minimal member agents' voice as deterministic templates. Honest about scope: they
 * acknowledge and answer the fixed questions, and promise nothing they cannot do yet (no intros,
 * research or priorities until the full Concierge and Innovator land).
 */
const ACKNOWLEDGE: Record<MemberAgentName, string[]> = {
  concierge: ['Got it, thanks for the note.', 'Noted.', 'Thanks, noted.'],
  innovator: [
    'Noted. Tell me more about the customers you most want to reach.',
    'Got it. Which accounts matter most to you this quarter?',
    'Understood.',
  ],
};

const OTHER: Record<MemberAgentName, string> = {
  concierge: 'I don’t have an answer for that one yet.',
  innovator: 'I don’t have an answer for that one yet.',
};

const factFor = (agent: MemberAgentName, topic: QuestionTopic): string =>
  topic === 'other' ? OTHER[agent] : PRODUCT_FACTS[topic];

function pick(candidates: string[], previous: readonly string[]): string {
  const used = new Set(previous.map((text) => text.trim()));
  return candidates.find((text) => !used.has(text)) ?? candidates[0];
}

export function renderMemberTemplate(agent: MemberAgentName, facts: MemberRenderFacts): string[] {
  switch (facts.scenario) {
    case 'no_message':
      return [];
    case 'emoji_reply_only':
      return ['👍'];
    case 'answer_question':
      if (facts.questions.length > 0) return facts.questions.slice(0, 2).map((topic) => factFor(agent, topic));
      return [pick(ACKNOWLEDGE[agent], facts.previousReplies)];
    case 'general_response':
      if (facts.emailJustVerified) return ['Your email is confirmed, thanks.'];
      return [pick(ACKNOWLEDGE[agent], facts.previousReplies)];
  }
}
