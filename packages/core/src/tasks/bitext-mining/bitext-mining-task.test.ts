import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { evaluateBitextMining } from "./bitext-mining-task.js";

describe("evaluateBitextMining", () => {
  it("writes MTEB's f1 with per-row terms averaging to it", async () => {
    const fixture = readMtebTaskFixture("bitext_mining-1");
    const inputs = fixture.inputs as { sentence1: string[]; sentence2: string[] };
    const result = await evaluateBitextMining(
      {
        model: { ...fixtureModel, similarity: fixture.parameters.similarity as Similarity },
        provider: fixtureProvider(fixture.vectors),
      },
      {
        name: "fixture-bitext",
        split: "test",
        contentHash: "hash",
        warnings: [],
        rows: inputs.sentence1.map((sentence1, index) => ({
          sentence1,
          sentence2: inputs.sentence2[index] as string,
        })),
      },
    );
    const scores = result.scores.test?.[0];
    expect(scores?.main_score).toBe(fixture.expected.unrounded.f1);
    const terms = Object.values(result.embedeval.per_query.test ?? {}).map((item) => item.f1 as number);
    expect(terms.reduce((sum, term) => sum + term, 0) / terms.length).toBeCloseTo(
      scores?.main_score as number,
      12,
    );
  });
});
