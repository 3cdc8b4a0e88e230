import type { MemberDecision, MemberDecisionInput } from './member-model.types';
import { understand } from '../local/text-understanding';

/** The local model's Call 1 for the minimal Concierge and Innovator. */
export function decideMemberLocally(input: MemberDecisionInput): MemberDecision {
  const understood = understand(input.userTexts, null);
  if (input.userTexts.length === 0) return { scenario: 'general_response', questions: [], guidance: null };
  if (understood.questions.length > 0) {
    return { scenario: 'answer_question', questions: understood.questions, guidance: null };
  }
  if (understood.thanksOnly) return { scenario: 'emoji_reply_only', questions: [], guidance: null };
  return { scenario: 'general_response', questions: [], guidance: null };
}
