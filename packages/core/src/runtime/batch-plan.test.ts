import { describe, expect, it } from "vitest";
import { planBatches } from "./batch-plan.js";

describe("planBatches", () => {
  it("keeps input order and never leaves a text out, even one over the byte budget", () => {
    const texts = ["a", "b".repeat(5000), "c", "d", "e"];
    expect(planBatches(texts, { maxInputs: 2, maxRequestBytes: 2048 })).toEqual([[0], [1], [2, 3], [4]]);
    expect(planBatches([], { maxInputs: 4 })).toEqual([]);
  });
});
