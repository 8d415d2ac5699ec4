/**
 * A small seeded PRNG (mulberry32) so bootstrap intervals and permutation p-values are identical on every
 * machine for the same inputs. Math.random cannot be seeded; a 32-bit generator is plenty for resampling.
 * Reference: https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
 */
export interface SeededRandom {
  /** A uniform float in [0, 1). */
  next(): number;
  /** 32 uniformly random bits as an unsigned integer. */
  nextUint32(): number;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { nextUint32, next: () => nextUint32() / 4294967296 };
}

/**
 * Mixes a base seed with a string (FNV-1a), so every comparison row gets its own stream: adding a model to
 * the config does not change the p-values of the rows that were already there.
 */
export function deriveSeed(seed: number, key: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
