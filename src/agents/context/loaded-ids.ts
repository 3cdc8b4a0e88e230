/** Kinds of rows a tool may name by id. */
export type IdKind =
  | 'user'
  | 'conversation'
  | 'intro_opportunity'
  | 'intro_offer'
  | 'connection_request'
  | 'community_request'
  | 'user_priority';

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
