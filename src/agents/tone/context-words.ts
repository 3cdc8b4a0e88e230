import type { TurnContext } from '../context/agent-context.types';
import { PRODUCT_FACTS, PRODUCT_VOCABULARY } from '../product/product-facts';
import { wordsOf } from './tone-rules';

/**
 * The words a reply's names may come from: the user's own fields and texts, the product's fixed
 * facts, and `extra` (e.g. the referrer as written). A member's name from the database is never
 * added unless the user wrote it.
 */
export function contextWords(context: TurnContext, extra: readonly (string | null)[] = []): Set<string> {
  const { user } = context;
  return wordsOf([
    ...PRODUCT_VOCABULARY,
    ...Object.values(PRODUCT_FACTS),
    user.firstName,
    user.lastName,
    user.company,
    user.title,
    user.nameDropped,
    ...context.history.filter((m) => m.role === 'user').map((m) => m.content),
    ...extra,
  ]);
}
