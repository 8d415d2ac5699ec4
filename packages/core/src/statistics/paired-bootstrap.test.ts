import { describe, expect, it } from "vitest";
import { pairedBootstrapInterval } from "./paired-bootstrap.js";
import { percentile } from "./percentile.js";
import { createSeededRandom } from "./seeded-random.js";

function normalSample(count: number, mean: number, deviation: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  // Box-Muller: two uniforms to one standard normal.
  return Array.from({ length: count }, () => {
    const u = 1 - random.next();
    const v = random.next();
    return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
}

describe("pairedBootstrapInterval", () => {
  it("gives [0, 0] when every difference is zero", () => {
    const interval = pairedBootstrapInterval(new Float64Array(50), { resamples: 1000, seed: 1 });
    expect(interval).toEqual({ low: 0, high: 0 });
  });

  it("is a point when every difference is the same constant", () => {
    const interval = pairedBootstrapInterval(new Array(40).fill(0.03), { resamples: 1000, seed: 1 });
    expect(interval.low).toBeCloseTo(0.03, 12);
    expect(interval.high).toBeCloseTo(0.03, 12);
  });

  it("contains the sample mean and matches the normal-theory interval mean +- 1.96 s/sqrt(n)", () => {
    const differences = normalSample(400, 0.01, 0.1, 7);
    const mean = differences.reduce((sum, value) => sum + value, 0) / differences.length;
    const variance = differences.reduce((sum, value) => sum + (value - mean) ** 2, 0) / differences.length;
    const halfWidth = (1.96 * Math.sqrt(variance)) / Math.sqrt(differences.length);
    const interval = pairedBootstrapInterval(differences, { resamples: 4000, seed: 3 });
    expect(interval.low).toBeLessThan(mean);
    expect(interval.high).toBeGreaterThan(mean);
    // The percentile bootstrap of a mean converges to the normal interval; 4,000 resamples land within ~10%.
    expect(interval.high - interval.low).toBeGreaterThan(2 * halfWidth * 0.9);
    expect(interval.high - interval.low).toBeLessThan(2 * halfWidth * 1.1);
    expect((interval.low + interval.high) / 2).toBeCloseTo(mean, 2);
  });

  it("shrinks as the number of queries grows (about 1/sqrt(n))", () => {
    const small = pairedBootstrapInterval(normalSample(100, 0, 0.1, 11), { resamples: 2000, seed: 5 });
    const large = pairedBootstrapInterval(normalSample(1600, 0, 0.1, 11), { resamples: 2000, seed: 5 });
    const ratio = (small.high - small.low) / (large.high - large.low);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const differences = normalSample(200, 0, 0.2, 1);
    const first = pairedBootstrapInterval(differences, { resamples: 1000, seed: 42 });
    expect(pairedBootstrapInterval(differences, { resamples: 1000, seed: 42 })).toEqual(first);
    expect(pairedBootstrapInterval(differences, { resamples: 1000, seed: 43 })).not.toEqual(first);
  });

  it("interpolates quantiles like numpy's linear method", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
  });
});
