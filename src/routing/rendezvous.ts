import { createHash } from 'node:crypto';

/** An instance's weight for a key: the MD5 of both, read as a number (spread, not secret). */
const weight = (instance: string, key: string): Buffer => createHash('md5').update(`${instance}\n${key}`).digest();

/**
 * Rendezvous (highest-random-weight) hashing: the instance with the highest weight for the key
 * owns it. Every instance that sees the same live set computes the same owner with no
 * coordination, and when an instance leaves or joins only the keys it owned (or now owns) move.
 * Undefined when there are no instances.
 */
export function rendezvousOwner(key: string, instances: Iterable<string>): string | undefined {
  let best: { instance: string; weight: Buffer } | undefined;
  for (const instance of instances) {
    const candidate = weight(instance, key);
    const order = best ? Buffer.compare(candidate, best.weight) : 1;
    // A tie (two equal digests) goes to the smaller id, so the owner never depends on the set's order.
    if (!best || order > 0 || (order === 0 && instance < best.instance)) best = { instance, weight: candidate };
  }
  return best?.instance;
}
