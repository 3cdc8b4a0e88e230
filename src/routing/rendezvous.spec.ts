import { rendezvousOwner } from './rendezvous';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `user:${i.toString(16).padStart(8, '0')}-key`);
const instances = (n: number) => Array.from({ length: n }, (_, i) => `instance-${i}`);

function shares(ids: string[], sample: string[]): Map<string, number> {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const key of sample) {
    const owner = rendezvousOwner(key, ids)!;
    counts.set(owner, counts.get(owner)! + 1);
  }
  return counts;
}

describe('rendezvousOwner', () => {
  it('names the same owner whatever the order the instances are listed in', () => {
    const ids = instances(5);
    for (const key of keys(200)) {
      expect(rendezvousOwner(key, [...ids].reverse())).toBe(rendezvousOwner(key, ids));
      expect(rendezvousOwner(key, [ids[2], ids[4], ids[0], ids[3], ids[1]])).toBe(rendezvousOwner(key, ids));
    }
  });

  it.each([3, 10])('spreads 10,000 keys over %i instances within 10 %% of an even share', (n) => {
    const sample = keys(10_000);
    const even = sample.length / n;
    for (const [, count] of shares(instances(n), sample)) {
      expect(Math.abs(count - even)).toBeLessThan(even * 0.1);
    }
  });

  it('moves only the keys of an instance that leaves, and only keys to one that joins', () => {
    const sample = keys(3_000);
    const before = instances(4);
    const after = before.filter((id) => id !== 'instance-2');
    for (const key of sample) {
      const was = rendezvousOwner(key, before);
      if (was !== 'instance-2') expect(rendezvousOwner(key, after)).toBe(was);
      const joined = rendezvousOwner(key, [...before, 'instance-new']);
      expect([was, 'instance-new']).toContain(joined);
    }
  });

  it('has no owner without instances', () => {
    expect(rendezvousOwner('user:x', [])).toBeUndefined();
  });
});
