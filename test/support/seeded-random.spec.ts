import { randomInt, seededRandom, shuffled, shuffledBag } from './seeded-random';

const draw = <T>(next: () => T, count: number): T[] => Array.from({ length: count }, next);

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    expect(draw(seededRandom(42), 20)).toEqual(draw(seededRandom(42), 20));
    expect(draw(seededRandom(42), 20)).not.toEqual(draw(seededRandom(43), 20));
  });

  it('stays in [0, 1) and spreads small ranges evenly from every seed', () => {
    for (const seed of [0, 1, 2, 42, 2 ** 31]) {
      const random = seededRandom(seed);
      const values = draw(random, 4000);
      expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
      const counts = [0, 0, 0, 0];
      for (const value of values) counts[Math.floor(value * 4)] += 1;
      // 1,000 expected per bucket; a broken generator piles everything into one.
      for (const count of counts) expect(count).toBeGreaterThan(850);
    }
  });

  it('varies its low bits (an LCG in float arithmetic loses them: every value a multiple of 256)', () => {
    const bytes = new Set(draw(seededRandom(42), 200).map((value) => Math.floor(value * 2 ** 32) % 256));
    expect(bytes.size).toBeGreaterThan(100);
  });

  it('gives bursts of every size from 1 to 4', () => {
    const random = seededRandom(7);
    const sizes = new Set(draw(() => randomInt(random, 1, 4), 100));
    expect([...sizes].sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('shuffledBag', () => {
  it('draws every item once per round, in orders that vary', () => {
    const kinds = ['a', 'b', 'c', 'd', 'e', 'f'];
    const next = shuffledBag(seededRandom(42), kinds);
    const rounds = Array.from({ length: 10 }, () => draw(next, kinds.length));
    for (const round of rounds) expect([...round].sort()).toEqual(kinds);
    expect(new Set(rounds.map((round) => round.join(''))).size).toBeGreaterThan(1);
  });

  it('refuses an empty bag', () => {
    expect(() => shuffledBag(seededRandom(1), [])).toThrow('at least one item');
  });

  it('shuffles a copy and keeps every item', () => {
    const items = [1, 2, 3, 4, 5];
    const result = shuffled(seededRandom(3), items);
    expect([...result].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5]);
  });
});
