/**
 * Anthropic list prices in US dollars per million tokens, by model family (the family is read from
 * the model name). Cache writes (5-minute TTL) cost 1.25× input, cache reads 0.1× input, as the
 * API's pricing page describes. Update this table when prices change; `cost_usd` in
 * agent_actions_log is computed from it.
 */
export interface ModelPrice {
  family: string;
  inputPerMTok: number;
  outputPerMTok: number;
}

export const MODEL_PRICES: readonly ModelPrice[] = [
  { family: 'opus', inputPerMTok: 15, outputPerMTok: 75 },
  { family: 'sonnet', inputPerMTok: 3, outputPerMTok: 15 },
  { family: 'haiku', inputPerMTok: 0.8, outputPerMTok: 4 },
];

/** Models whose name names no known family are priced as Sonnet-class (the default model). */
export const DEFAULT_MODEL_PRICE: ModelPrice = MODEL_PRICES[1];

const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

export function priceOf(model: string): ModelPrice {
  const name = model.toLowerCase();
  return MODEL_PRICES.find((price) => name.includes(price.family)) ?? DEFAULT_MODEL_PRICE;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** The cost of one call in US dollars, rounded to the column's six decimals. */
export function costUsd(model: string, usage: TokenUsage): number {
  const price = priceOf(model);
  const input =
    usage.inputTokens +
    usage.cacheCreationInputTokens * CACHE_WRITE_FACTOR +
    usage.cacheReadInputTokens * CACHE_READ_FACTOR;
  const dollars = (input * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
