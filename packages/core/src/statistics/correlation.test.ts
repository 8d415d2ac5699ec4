import { describe, expect, it } from "vitest";
import {
  averageRanks,
  correlationTerms,
  pearsonCorrelation,
  spearmanCorrelation,
  spearmanTerms,
} from "./correlation.js";

describe("correlations as SciPy computes them", () => {
  it("gives tied values the mean of their ranks", () => {
    expect([...averageRanks([10, 20, 10, 30, 20, 20])]).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });

  it("computes Pearson's r from centred values and NaN for constant input", () => {
    // scipy.stats.pearsonr([1, 2, 3, 4], [2, 4, 5, 4]).statistic
    expect(pearsonCorrelation([1, 2, 3, 4], [2, 4, 5, 4])).toBeCloseTo(0.7181848464596079, 14);
    expect(pearsonCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it("computes Spearman's rho as Pearson's r of the average ranks", () => {
    expect(spearmanCorrelation([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 14);
  });
});

describe("per-element terms", () => {
  it("average to the correlation they split", () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    const y = [2, 7, 1, 8, 2, 8, 1, 8];
    const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean(correlationTerms(x, y))).toBeCloseTo(pearsonCorrelation(x, y), 14);
    expect(mean(spearmanTerms(x, y))).toBeCloseTo(spearmanCorrelation(x, y), 14);
  });
});
