/**
 * The one seeded generator of the tests, the fuzz cases and the chaos run: same seed, same
 * sequence, so a failure reproduces. mulberry32 keeps its whole state in 32-bit integer
 * arithmetic (Math.imul), so no bit is lost to floating point, unlike `state * 1103515245`,
 * which passes 2^53 and leaves the low bits zero.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Draws from a bag holding each item once, refilled and reshuffled when empty: every item comes
 * up once in every `items.length` draws, in an order that still varies with the seed.
 */
export function shuffledBag<T>(random: () => number, items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('a bag needs at least one item');
  let bag: T[] = [];
  return () => {
    if (bag.length === 0) bag = shuffled(random, items);
    return bag.pop() as T;
  };
}
