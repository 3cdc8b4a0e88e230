import type { IdKind } from '../context/loaded-ids';
import type { ConciergeContext, ConciergePriority, OwnIntroView } from './concierge.context';
import type { ConciergeToolName } from './concierge-model.types';
import { showsStress, significantWords, soundsFrustrated } from './concierge-phrasings';

/** Something waiting for the member's answer: an intro to make, an offer, a request to meet, a question. */
export interface AwaitingItem {
  kind: Extract<
    IdKind,
    | 'intro_opportunity'
    | 'intro_offer_to_answer'
    | 'intro_offer_to_confirm'
    | 'connection_request'
    | 'community_request'
  >;
  id: string;
  /** How a reply may refer to it, e.g. "the intro to Maya Patel". */
  label: string;
  /** Words that name it (people, companies, topic). */
  words: string[];
}

/** The tools that change an item, and the kind of item they change. */
export const ITEM_TOOLS: Partial<Record<ConciergeToolName, AwaitingItem['kind']>> = {
  accept_intro_opportunity: 'intro_opportunity',
  decline_intro_opportunity: 'intro_opportunity',
  accept_intro_offer: 'intro_offer_to_answer',
  decline_intro_offer: 'intro_offer_to_answer',
  confirm_intro_offer: 'intro_offer_to_confirm',
  accept_connection_request: 'connection_request',
  decline_connection_request: 'connection_request',
  record_community_response: 'community_request',
};

/** The item id a tool's validated input names (every item tool names exactly one). */
export function isItemTool(toolName: string, input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const record = input as Record<string, unknown>;
  const id =
    record.introOpportunityId ?? record.introOfferId ?? record.connectionRequestId ?? record.communityRequestId;
  return ITEM_TOOLS[toolName as ConciergeToolName] && typeof id === 'string' ? id : null;
}

const nameWords = (...values: (string | null | undefined)[]): string[] =>
  values.flatMap((value) =>
    (value ?? '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 3),
  );

export function awaitingItems(context: ConciergeContext): AwaitingItem[] {
  return [
    ...context.introOpportunities.map((o): AwaitingItem => ({
      kind: 'intro_opportunity',
      id: o.id,
      label: `the intro to ${o.prospectName}`,
      words: nameWords(o.prospectName, o.prospectCompany),
    })),
    ...context.introOffers.map((o): AwaitingItem => ({
      kind: o.role === 'introducee' ? 'intro_offer_to_answer' : 'intro_offer_to_confirm',
      id: o.id,
      label: `the intro to ${o.prospectName}`,
      words: nameWords(o.prospectName, o.prospectCompany),
    })),
    ...context.connectionRequests.map((c): AwaitingItem => ({
      kind: 'connection_request',
      id: c.id,
      label: c.requestorName ? `meeting ${c.requestorName}` : 'the request to meet you',
      words: nameWords(c.requestorName, c.requestorCompany),
    })),
    ...context.openRequests.map((r): AwaitingItem => ({
      kind: 'community_request',
      id: r.id,
      label: `the question about ${r.summary ?? 'your area'}`,
      words: significantWords(r.summary ?? r.question),
    })),
  ];
}

/**
 * The intro a member asks news of: the one of their own intros their texts name (the person or
 * company), or their only one when the texts say "intro" and name none. Null when unclear.
 */
export function askedIntro(context: ConciergeContext, texts: readonly string[]): OwnIntroView | null {
  const written = new Set(nameWords(...texts));
  const named = context.ownIntros.filter((intro) =>
    nameWords(intro.personName, intro.company).some((word) => written.has(word)),
  );
  if (named.length === 1) return named[0];
  const saysIntro = texts.some((text) => /\bintro(?:duction)?s?\b/i.test(text));
  return named.length === 0 && saysIntro && context.ownIntros.length === 1 ? context.ownIntros[0] : null;
}

/** Items the member's texts name (a person, company or topic word of the item). */
export function namedItems(items: readonly AwaitingItem[], texts: readonly string[]): AwaitingItem[] {
  const written = new Set(nameWords(...texts));
  return items.filter((item) => item.kind !== 'community_request' && item.words.some((word) => written.has(word)));
}

/** A presentation older than this no longer makes a bare yes or no about that item. */
const FOCUS_WINDOW_MS = 48 * 60 * 60 * 1000;

/**
 * The item the conversation is on: the one the Concierge's last text named, or the pending
 * community request, or the only item awaiting an answer when it was presented in the last 48 hours.
 */
export function focusItem(context: ConciergeContext, items: readonly AwaitingItem[]): AwaitingItem | null {
  const lastOutbound = [...context.earlierMessages].reverse().find((m) => m.direction === 'outbound');
  if (lastOutbound) {
    const said = new Set(nameWords(lastOutbound.content));
    const named = items.filter((item) => item.kind !== 'community_request' && item.words.some((w) => said.has(w)));
    if (named.length === 1) return named[0];
  }
  if (context.pendingRequest) return items.find((item) => item.id === context.pendingRequest?.id) ?? null;
  const recently = (at: Date | null) => at !== null && context.now.getTime() - at.getTime() <= FOCUS_WINDOW_MS;
  const presented = items.filter((item) =>
    context.priorities.some((p) => p.itemId === item.id && p.status === 'presented' && recently(p.presentedAt)),
  );
  return items.length === 1 && presented.length === 1 ? presented[0] : null;
}

/**
 * Intent rule: a tool may change an item only when the member's message is about it, i.e. it
 * names the item or answers the item in focus. An unrelated message never changes a priority.
 */
export function relatesToTurn(
  item: { kind: AwaitingItem['kind']; id: string },
  items: readonly AwaitingItem[],
  texts: readonly string[],
  focus: AwaitingItem | null,
): boolean {
  if (focus?.id === item.id) return true;
  return namedItems(items, texts).some((named) => named.id === item.id);
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const MENTION_MIN_VALUE = 70;
export const MENTION_MIN_DAYS = 3;

/**
 * "While I have you": a priority may be mentioned only if it is on a different topic than
 * this turn, its value is above 70, it was last presented more than 3 days ago, it was not
 * mentioned in the last 2 messages, and the member shows no sign of stress or frustration.
 */
export function mentionable(
  context: ConciergeContext,
  priority: ConciergePriority,
  turnItemIds: ReadonlySet<string>,
  texts: readonly string[],
): boolean {
  if (turnItemIds.has(priority.itemId)) return false;
  if ((priority.valueScore ?? 0) <= MENTION_MIN_VALUE) return false;
  if (priority.presentedAt && context.now.getTime() - priority.presentedAt.getTime() <= MENTION_MIN_DAYS * DAY_MS) {
    return false;
  }
  // The last two messages before this turn, and the turn's own texts.
  const recent = [...context.earlierMessages.slice(-2), ...context.turnMessages].map((m) => m.content.toLowerCase());
  const words = nameWords(priority.primaryName, priority.secondaryName);
  if (recent.some((text) => words.some((word) => text.includes(word)))) return false;
  if (showsStress(texts) || soundsFrustrated(texts)) return false;
  return true;
}

/** The ids of the items this turn is about (named or in focus), which a mention must avoid. */
export function turnTopicIds(items: readonly AwaitingItem[], texts: readonly string[], focus: AwaitingItem | null) {
  const ids = new Set(namedItems(items, texts).map((item) => item.id));
  if (focus) ids.add(focus.id);
  return ids;
}

/** The priorities the rules allow mentioning this turn, best rank first. */
export function mentionCandidates(
  context: ConciergeContext,
  turnItemIds: ReadonlySet<string>,
  texts: readonly string[],
): ConciergePriority[] {
  return context.priorities.filter((p) => mentionable(context, p, turnItemIds, texts));
}

/** What a reply says about a priority when it mentions it. */
export function mentionText(priority: ConciergePriority): string {
  return (priority.summary ?? priority.primaryName ?? 'something that came up for you').replace(/[.?!]+$/, '');
}
