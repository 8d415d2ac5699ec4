import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { evaluatePairClassification } from "./pair-classification-task.js";

describe("evaluatePairClassification", () => {
  it("writes MTEB's max_ap as main score, with per-positive terms averaging to it", async () => {
    const fixture = readMtebTaskFixture("pair_classification-2");
    const inputs = fixture.inputs as { sentence1: string[]; sentence2: string[]; labels: number[] };
    const provider = fixtureProvider(fixture.vectors);
    const result = await evaluatePairClassification(
      { model: { ...fixtureModel, similarity: fixture.parameters.similarity as Similarity }, provider },
      {
        name: "fixture-pairs",
        split: "test",
        contentHash: "hash",
        warnings: [],
        rows: inputs.sentence1.map((sentence1, index) => ({
          sentence1,
          sentence2: inputs.sentence2[index] as string,
          label: inputs.labels[index] as number,
        })),
      },
    );
    const scores = result.scores.test?.[0];
    expect(scores?.main_score).toBeCloseTo(fixture.expected.unrounded.max_ap as number, 9);
    expect(scores?.max_f1).toBeCloseTo(fixture.expected.unrounded.max_f1 as number, 9);
    const terms = Object.values(result.embedeval.per_query.test ?? {}).map((item) => item.max_ap as number);
    expect(terms).toHaveLength(inputs.labels.filter((label) => label === 1).length);
    expect(terms.reduce((sum, term) => sum + term, 0) / terms.length).toBeCloseTo(
      scores?.main_score as number,
      12,
    );
  });
});
