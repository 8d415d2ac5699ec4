import { describe, expect, it } from "vitest";
import { averagePrecisionScore, averagePrecisionTerms } from "./average-precision-score.js";

describe("averagePrecisionScore", () => {
  it("matches scikit-learn's example", () => {
    // sklearn docs: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    expect(averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333333333333, 15);
  });

  it("groups equal scores into one step", () => {
    // One threshold holds everything: precision 2/4 at recall 1.
    expect(averagePrecisionScore([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });
});

describe("averagePrecisionTerms", () => {
  it("gives each positive the precision of its step, averaging to the average precision", () => {
    const labels = [1, 0, 1, 1, 0, 1];
    const scores = [0.9, 0.8, 0.8, 0.5, 0.4, 0.1];
    const terms = averagePrecisionTerms(labels, scores);
    expect(terms).toEqual([1, undefined, 2 / 3, 3 / 4, undefined, 4 / 6]);
    const positives = terms.filter((term): term is number => term !== undefined);
    expect(positives.reduce((sum, term) => sum + term, 0) / positives.length).toBeCloseTo(
      averagePrecisionScore(labels, scores),
      15,
    );
  });
});
