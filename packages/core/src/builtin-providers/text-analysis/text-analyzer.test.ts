import { describe, expect, it } from "vitest";
import { analyzeText } from "./text-analyzer.js";

describe("analyzeText", () => {
  it("tokenizes Unicode words, drops possessives and stop words, stems", () => {
    const result = analyzeText("The cluster's nodes WON'T restart; e.g. v2.1 costs 1,000 €, naïve Größe!", {
      stopwords: true,
      stemming: true,
    });
    expect(result.terms).toEqual([
      "cluster",
      "node",
      "won't",
      "restart",
      "e.g",
      "v2.1",
      "cost",
      "1,000",
      "naïv",
      "größe",
    ]);
    expect(result.wordCount).toBe(11);
  });

  it("keeps stop words and word forms when asked", () => {
    expect(analyzeText("Rotating the keys", { stopwords: false, stemming: false }).terms).toEqual([
      "rotating",
      "the",
      "keys",
    ]);
  });
});
