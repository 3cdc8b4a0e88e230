import type { OnboardingStep } from '../bouncer/onboarding-progress';
import type { QuestionTopic } from '../product/product-facts';

/**
 * Deterministic reading of a user's texts for the local model: the onboarding facts people
 * actually type ("Sarah Chen told me about it", "I'm Jane Doe", "VP of Sales at Acme Corp", an
 * email address) and questions about the network. It prefers missing a fact to inventing one:
 * the Bouncer simply asks again.
 */
export interface Understanding {
  firstName?: string;
  lastName?: string;
  company?: string;
  title?: string;
  email?: string;
  linkedinUrl?: string;
  referrer?: string;
  /** The user answered the referrer question without naming anyone ("nobody", "found it online"). */
  referrerDeclined: boolean;
  questions: QuestionTopic[];
  /** Nothing but thanks or an acknowledgment ("thanks", "ok cool"). */
  thanksOnly: boolean;
  /** The user asks for time or to stop ("busy", "not now", "leave me alone"). */
  wantsSpace: boolean;
}

const NAME_WORD = /^\p{L}[\p{L}'’-]*$/u;
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;
const LINKEDIN = /(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/in\/[A-Za-z0-9_%-]+\/?/i;

/** Words that are never part of a person's name in these texts. */
const NOT_NAMES = new Set(
  `a an the and or but so well oh ok okay yeah yes yep yup no nope hi hey hello yo sup hiya howdy thanks thank
  you me my mine i im i'm i’m it its it's it’s this that these those he she they them him her his we us our who what when
  where why how which friend friends colleague colleagues coworker co-worker boss buddy pal partner mentor cofounder
  co-founder investor former old ex from at with for of to in on by about via through told tells sent referred invited
  recommended mentioned introduced pointed just not good fine great interested curious here new looking trying
  wondering sure nobody none noone someone somebody anyone guy girl person people work working google online internet
  twitter ad ads article podcast newsletter name called is was are be been do does did there lol haha hmm um uh also
  really actually maybe probably think guess know dunno idk team company please whats what's love like want need get
  got can could would should will again too very much more still yet then than now today tomorrow morning afternoon
  evening night all some any every each other another same different wife husband brother sister mom dad cousin
  uncle aunt son daughter neighbor neighbour classmate roommate manager set update change ignore instructions verified
  admin system user users true false null delete drop select insert`.split(/\s+/),
);

/** Words that make a phrase a job title. */
const TITLE_WORDS = new Set(
  `ceo cto cfo coo cmo cro cpo ciso cio cso vp svp evp avp president vice founder co-founder cofounder founding
  director head manager engineer engineering partner principal chief officer lead owner analyst consultant designer
  architect scientist developer investor advisor adviser gm associate executive md attorney lawyer counsel professor
  researcher product sales marketing operations ops strategy growth recruiter specialist coordinator administrator
  controller treasurer editor writer producer chair chairman chairwoman chairperson fellow staff senior sr junior jr
  intern student trader banker broker agent accountant programmer manager`.split(/\s+/),
);

const REFERRAL_VERBS = 'told|tells|sent|referred|invited|recommended|mentioned|introduced|pointed|nominated|added';
const RELATIONS =
  'friend|colleague|coworker|co-worker|boss|buddy|pal|partner|mentor|cofounder|co-founder|investor|former colleague|old colleague|ex-colleague|classmate|neighbor|neighbour|brother|sister|cousin|wife|husband';

const words = (text: string): string[] =>
  text
    .replace(/[.,!?;:()"“”]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');

const isNameWord = (word: string): boolean =>
  NAME_WORD.test(word) &&
  !/['’]s$/i.test(word) &&
  !NOT_NAMES.has(word.toLowerCase()) &&
  !TITLE_WORDS.has(word.toLowerCase());
const hasTitleWord = (phrase: string): boolean => words(phrase).some((w) => TITLE_WORDS.has(w.toLowerCase()));

/** "sarah chen" → "Sarah Chen"; mixed case ("McKenzie", "van Dyke") is kept as typed. */
function nameCase(name: string): string {
  return name
    .split(/\s+/)
    .map((w) => (w === w.toLowerCase() ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** Up to `max` consecutive name words from the start of `candidate`; none if the first is not a name. */
function leadingName(candidate: string, max = 2, requireCapital = false): string | undefined {
  const picked: string[] = [];
  for (const word of words(candidate)) {
    if (!isNameWord(word) || picked.length === max) break;
    if (requireCapital && word.charAt(0) !== word.charAt(0).toUpperCase()) break;
    picked.push(word);
  }
  return picked.length > 0 ? nameCase(picked.join(' ')) : undefined;
}

/** Filler between a name and the verb: "It was Sarah *who* told me". */
const FILLER_BEFORE_VERB = new Set(['who', 'that', 'originally', 'actually', 'first', 'just', 'had', 'has', 'have']);

/** The last one or two name words of `candidate` (the name right before "told me"). */
function trailingName(candidate: string): string | undefined {
  const list = words(candidate);
  while (list.length > 0 && FILLER_BEFORE_VERB.has(list[list.length - 1].toLowerCase())) list.pop();
  const picked: string[] = [];
  for (let i = list.length - 1; i >= 0 && picked.length < 2; i--) {
    if (!isNameWord(list[i])) break;
    picked.unshift(list[i]);
  }
  return picked.length > 0 ? nameCase(picked.join(' ')) : undefined;
}

/** Sentences and clauses: "I'm Jane Doe, VP of Sales at Acme Corp" → two clauses. */
function clauses(text: string): string[] {
  return text
    .split(/[\n.!?;]+|,\s*|\s+-\s+|\s+and\s+(?=i'?m\b|i am\b|my\b|i work\b)|\s+but\s+/i)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

function findReferrer(text: string): string | undefined {
  const before = new RegExp(`([\\p{L}'’ -]{1,60}?)\\s+(?:${REFERRAL_VERBS})\\s+me\\b`, 'iu').exec(text);
  if (before) {
    const name = trailingName(before[1]);
    if (name) return name;
  }
  const by = new RegExp(
    `\\b(?:${REFERRAL_VERBS}|invited|sent)\\s+(?:me\\s+)?(?:here\\s+|over\\s+)?by\\s+(?:my\\s+(?:${RELATIONS})\\s+)?([\\p{L}'’ -]{1,40})`,
    'iu',
  ).exec(text);
  if (by) return leadingName(by[1]);
  const relation = new RegExp(`\\bmy\\s+(?:${RELATIONS})\\s+([\\p{L}'’ -]{1,40})`, 'iu').exec(text);
  if (relation) return leadingName(relation[1], 2, true) ?? leadingName(relation[1], 1);
  const heard =
    /\b(?:heard\s+(?:about\s+(?:it|this|you|yachtparty)\s+)?|found\s+out\s+)(?:from|through|via)\s+([\p{L}'’ -]{1,40})/iu.exec(
      text,
    );
  if (heard) return leadingName(heard[1].replace(/^my\s+\S+\s+/i, ''));
  return undefined;
}

const DECLINED_REFERRER =
  /\b(?:no\s?one|nobody|none|not telling|rather not say|found (?:it|you|this) (?:online|myself)|google|searched|saw (?:an?|your) (?:ad|post)|on (?:twitter|linkedin|x)\b|myself)\b/i;

interface NameParts {
  firstName?: string;
  lastName?: string;
  company?: string;
}

/** "I'm Jane Doe", "my name is Jane", "this is Jane from Acme", "Jane Doe here". */
function findSelfName(clause: string, lenient: boolean): NameParts | undefined {
  const intro =
    /^(?:hi|hey|hello)?\s*(?:i'?m|i’m|i am|im|this is|my name is|my name's|name's|name is|call me|it's|it’s)\s+(.+)$/i.exec(
      clause,
    );
  const here = /^(\p{L}[\p{L}'’-]*(?:\s+\p{L}[\p{L}'’-]*)?)\s+here$/iu.exec(clause);
  const rest = intro?.[1] ?? here?.[1];
  if (!rest) return undefined;
  const name = leadingName(rest, 2, !lenient);
  if (!name) return undefined;
  const [firstName, lastName] = name.split(' ');
  const after = rest.split(/\s+/).slice(name.split(' ').length).join(' ');
  const company = /^(?:from|at|with)\s+(.+)$/i.exec(after)?.[1];
  return { firstName, lastName, company: company ? cleanCompany(company) : undefined };
}

function cleanCompany(raw: string): string | undefined {
  const cut = raw.split(/\s+(?:and|but|so|where|which|who|because|since)\s+/i)[0];
  const trimmed = cut
    .replace(/^(?:the\s+)/i, '')
    .replace(/[\s,.;:!?]+$/, '')
    .trim();
  const count = trimmed.split(/\s+/).length;
  if (trimmed === '' || count > 5 || EMAIL.test(trimmed)) return undefined;
  return trimmed;
}

function cleanTitle(raw: string): string | undefined {
  const trimmed = raw
    .replace(
      /^(?:(?:so|well|and|also|hi|hey)\s+)?(?:i'?m|i’m|i am|im|i work as|working as|currently|my title is|title is|title:)?\s*(?:an?\s+|the\s+)?/i,
      '',
    )
    .trim();
  if (trimmed === '' || trimmed.split(/\s+/).length > 6 || /^i\s/i.test(trimmed) || !hasTitleWord(trimmed)) {
    return undefined;
  }
  return trimmed;
}

/** "VP of Sales at Acme Corp", "Head of Growth @ Foo", "founder of Acme", "I work at Acme". */
function findRole(clause: string): { title?: string; company?: string } | undefined {
  const at = /^(.+?)\s+(?:at|@|with|for)\s+(.+)$/i.exec(clause);
  if (at) {
    const title = cleanTitle(at[1]);
    if (title) return { title, company: cleanCompany(at[2]) };
  }
  const of = /\b((?:co-?)?founder|ceo|cto|owner|president|partner)\s+of\s+(.+)$/i.exec(clause);
  if (of) return { title: nameCase(of[1]), company: cleanCompany(of[2]) };
  const works = /\b(?:work|working|employed)\s+(?:at|for)\s+(.+)$/i.exec(clause);
  if (works) return { company: cleanCompany(works[1]) };
  return undefined;
}

/** A reply to "company and title?" without the usual connectors: "Acme Corp, VP Sales". */
function bareRole(text: string): { title?: string; company?: string } {
  const parts = text
    .split(/,|\s+-\s+|\s+at\s+|\s+@\s+|\s*\|\s*|\n/i)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const result: { title?: string; company?: string } = {};
  for (const part of parts.slice(0, 2)) {
    if (!result.title && hasTitleWord(part)) result.title = cleanTitle(part);
    else if (!result.company) {
      // Without "at", a company must at least not open like a sentence ("ignore previous instructions").
      const company = cleanCompany(part);
      const first = company?.split(/\s+/)[0].toLowerCase() ?? '';
      if (company && company.split(/\s+/).length <= 4 && !NOT_NAMES.has(first)) result.company = company;
    }
  }
  return result;
}

const QUESTION_START = /^(?:who|what|what's|whats|how|why|when|where|is|are|do|does|can|will|would|could|should)\b/i;

function findQuestions(text: string): QuestionTopic[] {
  const topics: QuestionTopic[] = [];
  const add = (topic: QuestionTopic) => {
    if (!topics.includes(topic)) topics.push(topic);
  };
  const questions = text
    .split(/(?<=[?.!\n])/)
    .map((s) => s.trim())
    .filter((s) => s.endsWith('?') || QUESTION_START.test(s));
  for (const q of questions) {
    const lower = q.toLowerCase();
    const before = topics.length;
    if (
      /\bfounders?\b|who (?:runs|started|made|built|owns|is behind|are you guys)|behind (?:this|it|yachtparty)/.test(
        lower,
      )
    ) {
      add('founders');
    }
    if (
      /what(?:'s| is| are)? (?:this|that|it|yachtparty|yacht party|you)\b|what do you (?:guys )?do|who are you|how does (?:this|it) work|what(?:'s| is) the (?:point|deal|catch)|tell me (?:more )?about|is this (?:a )?(?:scam|spam|legit)/.test(
        lower,
      )
    ) {
      add('what_is_yachtparty');
    }
    if (/privacy|private|secure|security|\bsafe\b|my data|sell (?:my|our)|share my/.test(lower)) add('data_security');
    if (/how long|when will|when do i|approv|get in\b|hear back|accepted/.test(lower)) add('approval_timeline');
    if (topics.length === before && q.endsWith('?')) add('other');
  }
  return topics;
}

const THANKS_ONLY =
  /^(?:(?:ok(?:ay)?|cool|great|perfect|awesome|sounds good|got it|will do|sure|noted|nice)[\s,.!]*)*(?:thanks|thank you|thx|ty|cheers|appreciate it)?[\s,.!]*(?:👍|🙏)?$/i;
const WANTS_SPACE =
  /\b(?:busy|not now|later|need (?:some )?time|stop|leave me alone|not interested|unsubscribe|no thanks)\b/i;

/** Reads the turn's texts; `awaiting` is what the Bouncer last asked for, which gives bare answers their meaning. */
export function understand(texts: readonly string[], awaiting: OnboardingStep | null): Understanding {
  // Bounded: a pasted novel must not cost quadratic regex time.
  const raw = texts.join('\n').trim().slice(0, 2000);
  const email = EMAIL.exec(raw)?.[0];
  const linkedinUrl = LINKEDIN.exec(raw)?.[0];
  const text = raw.replace(LINKEDIN, ' ').replace(EMAIL, ' ');
  const result: Understanding = {
    email,
    linkedinUrl,
    referrerDeclined: false,
    questions: findQuestions(text),
    thanksOnly: raw !== '' && THANKS_ONLY.test(raw),
    wantsSpace: WANTS_SPACE.test(raw),
  };
  const lenientNames = awaiting === 'first_name' || awaiting === 'last_name';

  result.referrer = findReferrer(text);
  // Clauses made only of name words ("Jane Doe", "sarah chen"): meaningful only as an answer.
  const bareNames: string[][] = [];
  for (const clause of clauses(text)) {
    const self = findSelfName(clause, lenientNames);
    if (self && !result.firstName) {
      result.firstName = self.firstName;
      result.lastName = self.lastName;
      result.company ??= self.company;
      continue;
    }
    const role = findRole(clause);
    if (role) {
      result.title ??= role.title;
      result.company ??= role.company;
      continue;
    }
    const list = words(clause);
    if (list.length > 0 && list.length <= 3 && list.every(isNameWord)) bareNames.push(list);
  }

  // A bare reply takes its meaning from the question it answers.
  const [bare] = bareNames;
  switch (awaiting) {
    case 'referrer':
      if (result.referrer === undefined) {
        if (DECLINED_REFERRER.test(text)) result.referrerDeclined = true;
        else if (bare) result.referrer = nameCase(bare.join(' '));
      }
      break;
    case 'first_name':
      if (result.firstName === undefined && bare) {
        result.firstName = nameCase(bare[0]);
        if (bare.length > 1) result.lastName = nameCase(bare.slice(1).join(' '));
      }
      break;
    case 'last_name':
      if (result.lastName === undefined && bare && bare.length <= 2) result.lastName = nameCase(bare.join(' '));
      break;
    case 'company_and_title':
      if ((result.title === undefined || result.company === undefined) && words(text).length <= 10) {
        const role = bareRole(text);
        result.title ??= role.title;
        result.company ??= role.company;
      }
      break;
    default:
      break;
  }
  return result;
}
