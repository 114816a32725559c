// Seeded randomness for fault rules: a rule's draws depend only on its seed and on how many requests it has
// seen, so a failing test that passes the seed its rule showed replays the same faults.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';

export interface Random {
  /** The next number of the sequence, in [0, 1). */
  next(): number;
}

/** A seed for a rule that was given none: shown with the rule, so that its run can be replayed. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export function seededRandom(seed: number): Random {
  // Mersenne Twister: its first draws are already well spread for small seeds (1, 2, 42), where
  // xoroshiro128+ seeded from 32 bits starts near 1.
  const rng = mersenne(seed);
  return { next: () => uniformFloat64(rng) };
}
