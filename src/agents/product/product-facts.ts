/**
 * The only facts about the product an agent may state (fixed answers; never invent
 * names or policies). Shared by the prompts, the local model's templates and the tone check.
 */
export const QUESTION_TOPICS = [
  'what_is_yachtparty',
  'founders',
  'data_security',
  'approval_timeline',
  'other',
] as const;
export type QuestionTopic = (typeof QUESTION_TOPICS)[number];

/** The topics a model reported, deduplicated; unknown ones become `other` so a question still gets an answer. */
export function toQuestionTopics(topics: readonly string[]): QuestionTopic[] {
  return [
    ...new Set(
      topics.map((t): QuestionTopic =>
        (QUESTION_TOPICS as readonly string[]).includes(t) ? (t as QuestionTopic) : 'other',
      ),
    ),
  ];
}

export const PRODUCT_FACTS: Record<QuestionTopic, string> = {
  what_is_yachtparty:
    'Yachtparty is a private network where verified business leaders share off-the-record info and backchannel each other. There are no fees; you earn credits for helping, and they work a bit like equity in the network.',
  founders:
    'It was started by founders who took three companies from $0 to $100M, with exits to Snap, Yahoo and Magnite.',
  data_security: 'We are SOC 2 compliant, follow GDPR, and never sell anyone’s contact info.',
  approval_timeline: 'Approval is done by hand and usually takes a day or two.',
  other: 'I’m just the bouncer, so that one is above my pay grade.',
};

/** Proper nouns the product itself uses; any other name in a reply must come from the context. */
export const PRODUCT_VOCABULARY = ['Yachtparty', 'Snap', 'Yahoo', 'Magnite', 'Madonna', 'LinkedIn', 'Twitter'];

/** The address a user emails from their work account to verify it. */
export function verificationAddress(userId: string): string {
  return `verify-${userId}@verify.yachtparty.xyz`;
}
