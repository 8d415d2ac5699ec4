import { describe, expect, it } from "vitest";
import { fixtureVector, metricDifferences, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { scorePairClassification } from "./pair-classification-scores.js";

describe.each(["pair_classification-1", "pair_classification-2"])(
  "pair classification against %s",
  (name) => {
    it("equals MTEB's PairClassificationEvaluator to 1e-6 on every key, ties included", () => {
      const fixture = readMtebTaskFixture(name);
      const { sentence1, sentence2, labels } = fixture.inputs as {
        sentence1: string[];
        sentence2: string[];
        labels: number[];
      };
      const scores = scorePairClassification({
        labels,
        vectors1: sentence1.map((text) => fixtureVector(fixture.vectors, text)),
        vectors2: sentence2.map((text) => fixtureVector(fixture.vectors, text)),
        similarity: fixture.parameters.similarity as Similarity,
      });
      expect(
        metricDifferences(fixture.expected.unrounded, { ...scores, main_score: scores.max_ap }, 1e-6),
      ).toEqual([]);
    });
  },
);
