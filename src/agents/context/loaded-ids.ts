/** Kinds of rows a tool may name by id. */
export type IdKind =
  | 'user'
  | 'conversation'
  /** An intro the user is asked to make (they are the connector), still open or presented. */
  | 'intro_opportunity'
  /** An offer made to the user (they are the introducee), awaiting their answer. */
  | 'intro_offer_to_answer'
  /** An offer the user made that the introducee accepted, awaiting the user's confirmation. */
  | 'intro_offer_to_confirm'
  /** Someone asked to meet the user, still open or presented. */
  | 'connection_request'
  /** An open community request aimed at the user that they have not answered yet. */
  | 'community_request'
  | 'user_priority'
  /**
   * An intro the user is a party to (any role) that is not waiting on their own answer: they may
   * ask where it stands.
   */
  | 'own_intro'
  /** An innovator's own uploaded prospect. */
  | 'prospect'
  /** Another member the user may name in a tool (e.g. an expert who answered their request). */
  | 'member';

/**
 * The ids a turn loaded, by kind: the only ids a model may name in a tool call. Immutable; an
 * agent's context adds its rows with `with`.
 */
export class LoadedIds {
  private constructor(private readonly byKind: ReadonlyMap<IdKind, ReadonlySet<string>>) {}

  static of(entries: Partial<Record<IdKind, Iterable<string>>>): LoadedIds {
    return LoadedIds.empty().with(entries);
  }

  static empty(): LoadedIds {
    return new LoadedIds(new Map());
  }

  with(entries: Partial<Record<IdKind, Iterable<string>>>): LoadedIds {
    const next = new Map<IdKind, Set<string>>([...this.byKind].map(([kind, ids]) => [kind, new Set(ids)]));
    for (const [kind, ids] of Object.entries(entries) as [IdKind, Iterable<string>][]) {
      const set = next.get(kind) ?? new Set<string>();
      for (const id of ids) set.add(id.toLowerCase());
      next.set(kind, set);
    }
    return new LoadedIds(next);
  }

  has(kind: IdKind, id: string): boolean {
    return this.byKind.get(kind)?.has(id.toLowerCase()) ?? false;
  }
}
