import { describe, expect, it } from "vitest";
import { adjustedMutualInformation, vMeasureScore } from "./cluster-agreement.js";

describe("clustering agreement as scikit-learn computes it", () => {
  it("gives 1 for a relabelled perfect clustering and the documented V-measure example", () => {
    expect(vMeasureScore([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 15);
    // scikit-learn docs: v_measure_score([0, 0, 1, 2], [0, 0, 1, 1]) == 0.8
    expect(vMeasureScore([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.8, 12);
  });

  it("scores AMI 0 for a single cluster and 1 for identical labelings", () => {
    // scikit-learn docs: adjusted_mutual_info_score([0, 0, 1, 1], [0, 0, 0, 0]) == 0.0
    expect(adjustedMutualInformation([0, 0, 1, 1], [0, 0, 0, 0])).toBe(0);
    expect(adjustedMutualInformation([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
  });
});
