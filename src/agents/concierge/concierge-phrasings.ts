/**
 * Plain phrasings a member uses, read deterministically: by the local model to decide, and by the
 * intent rules that hold on both models. They prefer missing an intent to inventing one.
 */
const YES =
  /^\s*(?:yes|yeah|yep|yup|sure|ok|okay|sounds good|happy to|definitely|absolutely|let'?s do it|please do|go ahead|i'?m in|would love (?:to|that)|love to|count me in|works for me)\b/i;
const NO =
  /^\s*(?:no|nope|nah|pass|not interested|no thanks|i'?ll pass|decline|not now|skip|not for me|not a fit|i don'?t think so)\b/i;
const OFFER =
  /\bi\s*(?:can|could|'d be happy to|would be happy to|am happy to|'m happy to|'d love to|will)\s+(?:intro|introduce|connect)\b/i;
const WANT_TO_MEET =
  /\b(?:i(?:'d| would)?\s+(?:want|like|love|need)\s+to\s+(?:meet|talk to|connect with|get (?:an )?intro(?:duced)? to|be introduced to)|connect me (?:with|to)|introduce me to|intro me to|looking for (?:an )?intro(?:duction)? to|does anyone (?:know|have)|know anyone (?:who|at|that))\b/i;
const GOAL =
  /\b(?:my (?:main |big |top |biggest )?goal (?:is|this (?:quarter|year) is)|i'?m (?:trying|looking|hoping|aiming|working) to|we'?re (?:trying|looking|hoping|aiming|working) to|goal:)\s*(.{4,})/i;
const RESEARCH =
  /\b(?:can you (?:find|research|look into|recommend)|looking for (?:a|an|some) (?:good )?(?:vendor|tool|solution|platform|provider|agency|software|partner)|any (?:vendor|tool|software|platform) recommendations|recommend (?:a|an|some) (?:vendor|tool|platform|provider))\b/i;
const MADE_INTRO =
  /\b(?:i (?:made|sent|did) the intro|intro(?:duction)? (?:is )?(?:done|made|sent)|i introduced them|made the connection|just connected them)\b/i;
/** Asking where something stands: "any news on...", "where does ... stand", "heard back about...". */
const ASKS_NEWS =
  /\b(?:any (?:news|updates?|word|progress)|what(?:'s| is) (?:happening|going on|new|the status)|where (?:does|do|are|is) (?:it|that|things|my intro|the intro)\b.*\bstand|status of|how(?:'s| is) (?:my|the) intro|update on|heard (?:anything|back))/i;
const STRESS = /\b(?:busy|swamped|slammed|stressed|overwhelmed|crazy week|later|not now|leave me alone|stop)\b/i;

/** Frustration or confusion with the Concierge itself (not with the member's week). */
const FRUSTRATION =
  /(?:\b(?:that'?s not what i (?:said|meant|asked)|not what i (?:said|meant|asked)|i already (?:told|said|answered)|i just (?:told|said)|you(?:'re| are) not listening|are you (?:even )?listening|are you a bot|you(?:'re| are) confusing me|this is (?:so |really )?(?:confusing|frustrating)|makes no sense|doesn'?t make sense|never ?mind|forget it|come on|ugh+)\b|\?{3,})/i;
/** A reply that owns the confusion. */
const APOLOGY = /\b(?:sorry|apolog\w*|my mistake|my bad|confusion)\b/i;

const joined = (texts: readonly string[]): string => texts.join(' ').trim();

export const saysYes = (texts: readonly string[]): boolean => YES.test(joined(texts));
export const saysNo = (texts: readonly string[]): boolean => NO.test(joined(texts)) && !OFFER.test(joined(texts));
export const offersIntro = (texts: readonly string[]): boolean => OFFER.test(joined(texts));
export const wantsToMeet = (texts: readonly string[]): boolean => WANT_TO_MEET.test(joined(texts));
export const madeIntro = (texts: readonly string[]): boolean => MADE_INTRO.test(joined(texts));
export const asksForResearch = (texts: readonly string[]): boolean => RESEARCH.test(joined(texts));
export const asksForNews = (texts: readonly string[]): boolean => ASKS_NEWS.test(joined(texts));
export const showsStress = (texts: readonly string[]): boolean => STRESS.test(joined(texts));
export const soundsFrustrated = (texts: readonly string[]): boolean => FRUSTRATION.test(joined(texts));
export const apologises = (texts: readonly string[]): boolean => APOLOGY.test(joined(texts));

/** A yes or no with nothing else of substance ("yes", "sure, sounds good", "no thanks"). */
export function isBareAnswer(texts: readonly string[]): boolean {
  const text = joined(texts);
  return (saysYes(texts) || saysNo(texts)) && text.split(/\s+/).length <= 5;
}

/** The goal sentence, as written. */
export function statedGoal(texts: readonly string[]): string | null {
  const match = GOAL.exec(joined(texts));
  if (!match) return null;
  const sentence = match[0]
    .split(/(?<=[.?!])\s/)[0]
    .trim()
    .replace(/[.?!]+$/, '');
  return sentence.length >= 8 ? sentence.slice(0, 300) : null;
}

/** The person after "intro you to", "introduce you to", "connect you with", "I know": capitalised words only. */
export function offeredProspect(texts: readonly string[]): string | null {
  const match = /\b(?:to|with|know)\s+((?:\p{Lu}[\p{L}'’-]+)(?:\s+\p{Lu}[\p{L}'’-]+){0,2})/u.exec(joined(texts));
  return match ? match[1] : null;
}

/** Lower-case words of four letters or more, for matching names and topics. */
export function significantWords(text: string | null | undefined): string[] {
  return (text ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 4);
}
