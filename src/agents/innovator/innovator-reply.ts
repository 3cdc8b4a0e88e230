import type { AgentTurn } from '../kit/agent-turn';
import { chatTurns } from '../model/chat-turns';
import { contextWords } from '../tone/context-words';
import type { ToneRules } from '../tone/tone-rules';
import { wordsOf } from '../tone/tone-rules';
import type { InnovatorContext } from './innovator.context';
import type { InnovatorRenderFacts, InnovatorThread } from './innovator-model.types';
import { INNOVATOR_RENDER_SYSTEM, innovatorRenderState } from './innovator.prompts';
import { INNOVATOR_MAX_CHARS, renderInnovatorNudge, renderInnovatorTemplate } from './innovator.templates';

const RENDER_MAX_TOKENS = 500;
const NUDGE_MAX_TOKENS = 700;

/**
 * The tone rules of the Innovator: under 200 characters a text, at most three
 * sentences and three texts, no emoji, and no name outside the context: the innovator's own
 * fields and texts, and the rows loaded for this turn. A name from the prompt's examples is not
 * among them, so a sentence reusing one is dropped.
 */
export function innovatorTone(context: InnovatorContext): ToneRules {
  const known = contextWords(context, [
    context.profile?.companyName ?? null,
    ...context.intros.flatMap((i) => [i.personName, i.company, i.title, i.otherFirstName]),
    ...context.prospects.latest.flatMap((p) => [p.name, p.company]),
    ...context.ownRequests.flatMap((r) => r.responders.map((x) => x.firstName)),
    ...context.introOffers.flatMap((o) => [o.prospectName, o.prospectCompany]),
    ...context.introOpportunities.flatMap((o) => [o.prospectName, o.prospectCompany, o.innovatorName]),
    ...context.connectionRequests.flatMap((c) => [c.requestorName, c.requestorCompany]),
    ...context.ownIntros.flatMap((i) => [i.personName, i.company]),
  ]);
  for (const word of wordsOf(['Yachtparty CSV'])) known.add(word);
  return {
    maxSentencesPerText: 3,
    maxCharsPerText: INNOVATOR_MAX_CHARS,
    maxTexts: 3,
    allowedEmails: [],
    knownWords: known,
    allowEmoji: false,
  };
}

const INTEGER = /\d[\d,]*/g;

/**
 * Whether rendered texts still carry what they must: the exact link a tool created, the word
 * "placeholder" beside a payment link, and no number that is not in the facts (a progress report
 * never invents a count).
 */
export function acceptsFor(facts: InnovatorRenderFacts): (texts: readonly string[]) => boolean {
  const { previousReplies: _previous, ...shown } = facts;
  const numbers = new Set(
    [
      ...(JSON.stringify(shown)
        .replace(/https?:\/\/[^"]+/g, ' ')
        .match(INTEGER) ?? []),
      String(facts.intros.length),
      String(Math.max(0, facts.intros.length - 6)),
      String(facts.intros.filter((i) => i.status === 'accepted').length),
      String(Math.max(0, facts.availableCredits)),
    ].map((n) => n.replace(/,/g, '')),
  );
  return (texts) => {
    if (texts.length === 0) return false;
    const all = texts.join('\n');
    if (facts.upload && !all.includes(facts.upload.url)) return false;
    if (facts.funding && !(all.includes(facts.funding.placeholderLink) && /placeholder/i.test(all))) return false;
    // A refused bounty is never reported as done: the reply must state what is available.
    if (facts.scenario === 'bounty_above_balance' && !all.includes(String(Math.max(0, facts.availableCredits)))) {
      return false;
    }
    const withoutLinks = all.replace(/https?:\/\/\S+/g, ' ');
    return (withoutLinks.match(INTEGER) ?? []).every((n) => numbers.has(n.replace(/,/g, '')));
  };
}

export async function innovatorReply(
  turn: AgentTurn<InnovatorContext>,
  facts: InnovatorRenderFacts,
  threads: readonly InnovatorThread[] | null = null,
  drafted: readonly string[] | null = null,
): Promise<string[]> {
  if (facts.scenario === 'no_message' && threads === null) return [];
  const nudge = threads !== null;
  return turn.reply({
    purpose: nudge ? 'innovator.reengagement.render' : 'innovator.render',
    scenario: nudge ? 're_engagement' : facts.scenario,
    prompt: {
      staticSystem: INNOVATOR_RENDER_SYSTEM,
      dynamicSystem: nudge
        ? `${innovatorRenderState(facts)}\nThis is a proactive text after a quiet period; address these threads, one short text each: ${threads.join(', ')}.`
        : innovatorRenderState(facts),
      turns: chatTurns(turn.context.history, nudge ? '(Scheduled check, no new text from the innovator.)' : undefined),
      maxTokens: nudge ? NUDGE_MAX_TOKENS : RENDER_MAX_TOKENS,
    },
    template: () => (nudge ? renderInnovatorNudge(threads, facts) : renderInnovatorTemplate(facts)),
    tone: innovatorTone(turn.context),
    accept: acceptsFor(facts),
    drafted,
  });
}

/** The render facts every scenario starts from; tools fill in their parts. */
export function baseFacts(context: InnovatorContext, scenario: InnovatorRenderFacts['scenario']): InnovatorRenderFacts {
  return {
    scenario,
    firstName: context.user.firstName,
    questions: [],
    intros: context.intros.map(({ kind, status, personName, company }) => ({ kind, status, personName, company })),
    prospectsTotal: context.prospects.total,
    upload: null,
    funding: null,
    availableCredits: context.availableCredits,
    connection: null,
    refusedOfferBounty: null,
    profileUpdated: [],
    profileMissing: [],
    responses: context.ownRequests.flatMap((r) =>
      r.responders.map((x) => ({ firstName: x.firstName, summary: x.summary, question: r.summary ?? r.question })),
    ),
    outcomes: [],
    guidance: null,
    clarifyingQuestion: null,
    previousReplies: context.earlierMessages.filter((m) => m.direction === 'outbound').map((m) => m.content),
  };
}
