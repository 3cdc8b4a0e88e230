import type { Queryable } from '../../database/database.service';

/**
 * Writes one family of effects (user fields, tasks, intros...) inside the caller's transaction.
 * Effects are data an agent or a handler planned while reading; writers are the only code that
 * turns them into SQL, and they take every id from the effect (which came from the loaded context).
 */
export interface EffectWriter<E extends { type: string }> {
  /** The effect types this writer owns; each type has exactly one writer. */
  readonly types: readonly E['type'][];
  apply(client: Queryable, effect: E): Promise<void>;
}
