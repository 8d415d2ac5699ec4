import { describe, expect, it } from "vitest";
import { metricName, metricNames, parseKValues } from "./metric-names.js";

describe("metric names", () => {
  it("uses MTEB's result keys for every measure and cutoff", () => {
    expect(metricName("hit_rate", 10)).toBe("hit_rate_at_10");
    const names = metricNames([1, 10]);
    expect(names).toEqual([
      "ndcg_at_1",
      "ndcg_at_10",
      "map_at_1",
      "map_at_10",
      "recall_at_1",
      "recall_at_10",
      "precision_at_1",
      "precision_at_10",
      "mrr_at_1",
      "mrr_at_10",
      "hit_rate_at_1",
      "hit_rate_at_10",
    ]);
  });

  it("parses --k lists and refuses bad cutoffs", () => {
    expect(parseKValues("10, 1,3")).toEqual([1, 3, 10]);
    expect(() => parseKValues("1,0")).toThrowError(/not a positive integer/);
    expect(() => parseKValues("1,a")).toThrowError(/`a` is not a cutoff/);
    expect(() => parseKValues("3,3")).toThrowError(/given twice/);
  });
});
