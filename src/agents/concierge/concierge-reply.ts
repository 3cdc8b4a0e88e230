import type { AgentTurn } from '../kit/agent-turn';
import type { PromptParts } from '../model/model.types';
import { contextWords } from '../tone/context-words';
import type { ToneRules } from '../tone/tone-rules';
import type { ConciergeContext } from './concierge.context';

/** two or three sentences per text; at most three texts. */
export function conciergeTone(context: ConciergeContext, extra: readonly (string | null)[] = []): ToneRules {
  return {
    maxSentencesPerText: 3,
    maxCharsPerText: 480,
    maxTexts: 3,
    allowedEmails: [],
    knownWords: contextWords(context, [...contextNames(context), ...extra]),
  };
}

/** Names and topics the loaded context carries, which a reply may repeat. */
function contextNames(context: ConciergeContext): (string | null)[] {
  return [
    context.goal,
    ...context.priorities.flatMap((p) => [p.summary, p.primaryName, p.secondaryName, p.itemContext]),
    ...context.introOpportunities.flatMap((o) => [o.prospectName, o.prospectCompany, o.prospectTitle]),
    ...context.introOffers.flatMap((o) => [o.prospectName, o.prospectCompany]),
    ...context.connectionRequests.flatMap((c) => [c.requestorName, c.requestorCompany]),
    ...context.ownIntros.flatMap((i) => [i.personName, i.company]),
    ...context.openRequests.flatMap((r) => [r.summary, r.question]),
  ];
}

export function previousConciergeReplies(context: ConciergeContext): string[] {
  return context.earlierMessages.filter((m) => m.direction === 'outbound').map((m) => m.content);
}

export type ConciergeTurn = AgentTurn<ConciergeContext>;
export type { PromptParts };
