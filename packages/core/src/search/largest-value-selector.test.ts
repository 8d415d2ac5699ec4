import { describe, expect, it } from "vitest";
import { testMatrix } from "../testing/search-test-data.js";
import { LargestValueSelector, quickselectLargest } from "./largest-value-selector.js";

function bySort(values: Float32Array, rank: number): number {
  return Array.from(values).sort((left, right) => right - left)[rank - 1] as number;
}

describe("LargestValueSelector", () => {
  it("finds the rank-th largest as a sort would, on spread, clustered, tied and tiny lists", () => {
    const selector = new LargestValueSelector(4);
    const lists = [
      testMatrix({ rows: 1, dimension: 2000, seed: 5 }),
      // Most values in one histogram bucket, a few far out.
      testMatrix({ rows: 1, dimension: 3000, seed: 6 }).map((value, index) =>
        index % 500 === 0 ? value * 1e6 : value * 1e-3,
      ),
      // Four distinct values: ties everywhere.
      testMatrix({ rows: 1, dimension: 1500, seed: 7, levels: 4 }),
      Float32Array.from([3, 1, 2]),
      new Float32Array(100).fill(0.25),
    ];
    for (const values of lists) {
      const before = values.slice();
      for (const rank of [1, 2, Math.ceil(values.length / 3), values.length - 1, values.length]) {
        expect(selector.kthLargest(values, values.length, rank), `rank ${rank} of ${values.length}`).toBe(
          bySort(values, rank),
        );
      }
      expect(values).toEqual(before);
    }
  });

  it("selects among the first count values only, and refuses a rank outside 1..count", () => {
    const selector = new LargestValueSelector();
    const values = Float32Array.from({ length: 300 }, (_, index) => index);
    expect(selector.kthLargest(values, 200, 1)).toBe(199);
    expect(() => selector.kthLargest(values, 200, 201)).toThrow(RangeError);
    expect(() => selector.kthLargest(values, 200, 0)).toThrow(RangeError);
  });

  it("still answers when values are infinite", () => {
    const values = Float32Array.from({ length: 200 }, (_, index) => index);
    values[10] = Number.POSITIVE_INFINITY;
    values[20] = Number.NEGATIVE_INFINITY;
    expect(new LargestValueSelector().kthLargest(values, 200, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(new LargestValueSelector().kthLargest(values, 200, 3)).toBe(198);
  });
});

describe("quickselectLargest", () => {
  it("agrees with a sort", () => {
    const values = testMatrix({ rows: 1, dimension: 999, seed: 8 });
    for (const rank of [1, 500, 999])
      expect(quickselectLargest(values.slice(), 999, rank)).toBe(bySort(values, rank));
  });
});
