import { percentile } from "./percentile.js";
import { createSeededRandom } from "./seeded-random.js";

export interface ConfidenceInterval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Number of resamples; at least 1,000 for a 95% interval to be stable. */
  resamples: number;
  seed: number;
  /** Two-sided coverage, 0.95 by default. */
  confidence?: number;
}

/**
 * Paired bootstrap confidence interval of the mean difference (percentile method): resample the per-query
 * differences (head minus base) with replacement, take the mean of each resample, and read the
 * (1-c)/2 and (1+c)/2 quantiles. Pairing matters: the same query is hard for both sides, so resampling
 * differences instead of each side separately gives a much tighter, correct interval.
 */
export function pairedBootstrapInterval(
  differences: ArrayLike<number>,
  options: BootstrapOptions,
): ConfidenceInterval {
  const count = differences.length;
  if (count === 0) return { low: Number.NaN, high: Number.NaN };
  const confidence = options.confidence ?? 0.95;
  const resamples = Math.max(1, Math.floor(options.resamples));
  const random = createSeededRandom(options.seed);
  const values = Float64Array.from(differences);
  const means = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    let sum = 0;
    for (let draw = 0; draw < count; draw++) {
      // An index uniform in [0, count): the high bits of a 32-bit draw times count, without a float divide.
      sum += values[Math.floor((random.nextUint32() * count) / 4294967296)] as number;
    }
    means[resample] = sum / count;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return { low: percentile(means, alpha), high: percentile(means, 1 - alpha) };
}
