import { describe, expect, it } from "vitest";
import { fixtureVector, metricDifferences, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { scoreSts } from "./sts-scores.js";

describe.each(["sts-1", "sts-2"])("STS scores against MTEB's fixture %s", (name) => {
  it("equals MTEB's AnySTSEvaluator to 1e-6 on every key", () => {
    const fixture = readMtebTaskFixture(name);
    const { sentence1, sentence2, score } = fixture.inputs as {
      sentence1: string[];
      sentence2: string[];
      score: number[];
    };
    const scores = scoreSts({
      gold: score,
      vectors1: sentence1.map((text) => fixtureVector(fixture.vectors, text)),
      vectors2: sentence2.map((text) => fixtureVector(fixture.vectors, text)),
      similarity: fixture.parameters.similarity as Similarity,
    });
    expect(
      metricDifferences(fixture.expected.unrounded, { ...scores, main_score: scores.cosine_spearman }, 1e-6),
    ).toEqual([]);
  });
});
