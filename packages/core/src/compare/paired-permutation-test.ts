import { createSeededRandom } from "./seeded-random.js";

export interface PermutationOptions {
  /** Random sign-flip assignments to draw; 10,000 resolves p-values near 0.05 to about +-0.004. */
  permutations: number;
  seed: number;
}

/**
 * Two-sided paired permutation (sign-flip) test of "mean difference = 0". Under the null hypothesis each
 * query's two scores are exchangeable, so the sign of each difference is a coin flip. The p-value counts
 * the random flips whose |mean| reaches the observed |mean|, with the +1 correction of Phipson & Smyth
 * (2010, https://doi.org/10.2202/1544-6115.1585) so a Monte Carlo p-value is never 0:
 * p = (1 + hits) / (1 + permutations).
 */
export function pairedPermutationPValue(differences: ArrayLike<number>, options: PermutationOptions): number {
  const count = differences.length;
  if (count === 0) return 1;
  const permutations = Math.max(1, Math.floor(options.permutations));
  let observed = 0;
  let scale = 0;
  for (let index = 0; index < count; index++) {
    const value = differences[index] as number;
    observed += value;
    scale += Math.abs(value);
  }
  if (scale === 0) return 1;
  const threshold = Math.abs(observed) - tolerance(scale);
  const random = createSeededRandom(options.seed);
  let hits = 0;
  for (let permutation = 0; permutation < permutations; permutation++) {
    let sum = 0;
    let bits = 0;
    // One 32-bit draw gives 32 signs: the inner loop stays cheap for thousands of queries.
    for (let index = 0; index < count; index++) {
      if ((index & 31) === 0) bits = random.nextUint32();
      const value = differences[index] as number;
      sum += (bits >>> (index & 31)) & 1 ? value : -value;
    }
    if (Math.abs(sum) >= threshold) hits++;
  }
  return (1 + hits) / (1 + permutations);
}

/**
 * Exact two-sided sign-flip p-value by enumerating all 2^n assignments; only for small n (<= 20).
 * Used to check the Monte Carlo test and for tiny query sets where enumeration is cheaper.
 */
export function exactPairedPermutationPValue(differences: ArrayLike<number>): number {
  const count = differences.length;
  if (count > 20)
    throw new RangeError(`exact enumeration needs 2^${count} assignments; use the Monte Carlo test`);
  let observed = 0;
  let scale = 0;
  for (let index = 0; index < count; index++) {
    observed += differences[index] as number;
    scale += Math.abs(differences[index] as number);
  }
  if (scale === 0) return 1;
  const threshold = Math.abs(observed) - tolerance(scale);
  const total = 2 ** count;
  let hits = 0;
  for (let mask = 0; mask < total; mask++) {
    let sum = 0;
    for (let index = 0; index < count; index++) {
      const value = differences[index] as number;
      sum += (mask >>> index) & 1 ? -value : value;
    }
    if (Math.abs(sum) >= threshold) hits++;
  }
  return hits / total;
}

/** Sums of the same values in another order differ in the last bits; treat those as ties. */
function tolerance(scale: number): number {
  return scale * 1e-12;
}
