/**
 * Tone rules a program can check (docs/architecture.md §3), enforced on every rendered reply before it is
 * sent, whichever model wrote it: no exclamation points, a bounded number of sentences and
 * characters per text, no email address but the allowed ones, no phone number, and no name that does not come
 * from the context. Repairs are deterministic; what cannot be repaired is dropped.
 */
export interface ToneRules {
  maxSentencesPerText: number;
  maxCharsPerText: number;
  maxTexts: number;
  /** Lower-case addresses a reply may contain (the Bouncer: the user's verification address). */
  allowedEmails: readonly string[];
  /** Lower-case words a capitalised token may be: names and words from the context and the product. */
  knownWords: ReadonlySet<string>;
  /** False for voices without emoji (the Innovator): emoji are removed. Default true. */
  allowEmoji?: boolean;
}

export interface ToneResult {
  texts: string[];
  /** What was changed, e.g. `exclamation`, `email_removed`, `unknown_name:Mike`, `split`, `texts_dropped`. */
  corrections: string[];
}

const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u{FE0F}|\u{200D}/gu;
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
/** Ten or more digits with only phone punctuation between them: a phone number. */
const PHONE = /\+?\d(?:[\s().-]*\d){9,}/;
/** Abbreviations whose period does not end a sentence. */
const ABBREVIATIONS = /\b(?:Inc|Corp|Co|Ltd|LLC|Mr|Mrs|Ms|Dr|Jr|Sr|St|vs|etc|e\.g|i\.e|approx)\.$/i;
/** Capitalised words that are never names. */
const COMMON_CAPITALISED = new Set(
  `i i'm i’m i'll i’ll i've i’ve i'd i’d ok okay monday tuesday wednesday thursday friday saturday sunday january
  february march april may june july august september october november december`.split(/\s+/),
);

/** Words that start ordinary sentences even before "is", "will", "from"... */
const SENTENCE_STARTERS = new Set(
  `this that it there here what who which we you they he she someone somebody nothing everything everyone anyone
  all one your our my the a an no yes and but so if when where how why let once then now also just please thanks noted got sounds
  welcome perfect great understood`.split(/\s+/),
);
/** Words that, right after a capitalised first word, make it read as a person: "Mike from our team", "Sarah said". */
const AFTER_A_NAME = new Set(
  `from said says mentioned who asked told wants thinks runs leads reviews approved approves handles called texted
  emailed suggested recommended introduced`.split(/\s+/),
);

/** Splits into sentences, keeping terminal punctuation; "Acme Inc. is" stays one sentence. */
export function splitSentences(text: string): string[] {
  const pieces = text.split(/(?<=[.?…])\s+(?=\S)/);
  const sentences: string[] = [];
  for (const piece of pieces) {
    const previous = sentences[sentences.length - 1];
    if (previous !== undefined && ABBREVIATIONS.test(previous))
      sentences[sentences.length - 1] = `${previous} ${piece}`;
    else sentences.push(piece);
  }
  return sentences.map((s) => s.trim()).filter((s) => s !== '');
}

/** Capitalised tokens that look like names: mid-sentence, or a pair of them at the start. */
function nameLikeTokens(sentence: string): string[] {
  const raws = sentence.split(/\s+/);
  const tokens = raws.map((raw) => raw.replace(/^[^\p{L}]+|[^\p{L}'’-]+$/gu, ''));
  const capitalised = (index: number): boolean => {
    const token = tokens[index] ?? '';
    return (
      /^\p{Lu}[\p{L}'’-]+$/u.test(token) && // two letters or more, capital first
      token !== token.toUpperCase() && // acronyms: VP, CEO, SOC, GDPR
      !COMMON_CAPITALISED.has(token.toLowerCase())
    );
  };
  const found: string[] = [];
  tokens.forEach((token, index) => {
    if (!capitalised(index)) return;
    const first = index === 0 || /[:.?]$/.test(raws[index - 1]);
    if (first) {
      // A capital at the start of a sentence is ordinary, unless what follows makes it a person:
      // another capital ("Mike Smith"), a possessive ("Mike’s team") or "Mike from/will/said...".
      const base = token.replace(/['’](?:s|re|ll|ve|d)$/i, '').toLowerCase(); // What’s, They’re
      if (/[,;:]$/.test(raws[index]) || SENTENCE_STARTERS.has(base)) return;
      const possessive = /['’]s$/.test(token);
      const next = (tokens[index + 1] ?? '').toLowerCase();
      if (!capitalised(index + 1) && !possessive && !AFTER_A_NAME.has(next)) return;
    }
    found.push(token.replace(/['’]s$/, ''));
  });
  return found;
}

function isKnown(token: string, rules: ToneRules): boolean {
  const lower = token.toLowerCase();
  return COMMON_CAPITALISED.has(lower) || rules.knownWords.has(lower);
}

export function enforceTone(input: readonly string[], rules: ToneRules): ToneResult {
  const corrections = new Set<string>();
  const allowed = new Set(rules.allowedEmails.map((e) => e.toLowerCase()));
  const sentencesPerText: string[][] = [];

  for (const raw of input) {
    let text = raw.trim();
    const withoutEmoji = rules.allowEmoji === false ? text.replace(EMOJI, '') : text;
    if (withoutEmoji !== text) {
      corrections.add('emoji_removed');
      text = withoutEmoji
        .replace(/\s+([.,?;:])/g, '$1')
        .replace(/\s{2,}/g, ' ')
        .trim();
    }
    if (/!/.test(text)) {
      corrections.add('exclamation');
      text = text.replace(/[?]!+|!+[?]/g, '?').replace(/!+/g, '.');
    }
    const kept: string[] = [];
    for (const sentence of splitSentences(text)) {
      const emails = sentence.match(EMAIL) ?? [];
      if (emails.some((email) => !allowed.has(email.toLowerCase()))) {
        corrections.add('email_removed');
        continue;
      }
      // Contact details never go out in a reply (another member's number included).
      if (PHONE.test(sentence.replace(EMAIL, ''))) {
        corrections.add('phone_removed');
        continue;
      }
      const unknown = nameLikeTokens(sentence).filter((token) => !isKnown(token, rules));
      if (unknown.length > 0) {
        for (const token of unknown) corrections.add(`unknown_name:${token}`);
        continue;
      }
      kept.push(sentence);
    }
    if (kept.length > 0) sentencesPerText.push(kept);
  }

  // Re-pack: at most N sentences and M characters per text (a single long sentence stays whole).
  const texts: string[] = [];
  for (const sentences of sentencesPerText) {
    let current: string[] = [];
    for (const sentence of sentences) {
      const candidate = [...current, sentence].join(' ');
      if (
        current.length > 0 &&
        (current.length >= rules.maxSentencesPerText || candidate.length > rules.maxCharsPerText)
      ) {
        texts.push(current.join(' '));
        corrections.add('split');
        current = [];
      }
      current.push(sentence);
    }
    if (current.length > 0) texts.push(current.join(' '));
  }
  if (texts.length > rules.maxTexts) corrections.add('texts_dropped');
  return { texts: texts.slice(0, rules.maxTexts), corrections: [...corrections] };
}

/** The lower-case words of `texts`, for `ToneRules.knownWords`. */
export function wordsOf(texts: Iterable<string | null | undefined>): Set<string> {
  const known = new Set<string>();
  for (const text of texts) {
    for (const word of (text ?? '').split(/[^\p{L}'’-]+/u)) {
      if (word !== '') known.add(word.toLowerCase().replace(/['’]s$/, ''));
    }
  }
  return known;
}
