const FILLER = new Set(['of', 'the', 'and', 'at', 'a', 'an', 'in', 'for', 'co', 'inc', 'llc', 'ltd', 'corp']);
const tokens = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._%+-]+/u)
    .filter((t) => t !== '');

/**
 * Whether a value the model extracted was actually written by the user this turn: each of its
 * meaningful words appears in their texts. The model may read, not invent (a hallucinated or
 * injected name is never stored).
 */
export function statedIn(texts: readonly string[]): (value: string) => boolean {
  const written = new Set(tokens(texts.join(' ')));
  const whole = texts.join(' ').toLowerCase();
  return (value) => {
    const lower = value.trim().toLowerCase();
    if (lower.includes('@') || lower.includes('/')) return whole.includes(lower.replace(/^https?:\/\/(www\.)?/, ''));
    return tokens(lower).every((token) => FILLER.has(token) || written.has(token));
  };
}
