import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { evaluateSts } from "./sts-task.js";

describe("evaluateSts", () => {
  it("embeds both columns unchanged, without prefixes, and writes MTEB's keys with per-pair terms of the main score", async () => {
    const fixture = readMtebTaskFixture("sts-2");
    const inputs = fixture.inputs as { sentence1: string[]; sentence2: string[]; score: number[] };
    const provider = fixtureProvider(fixture.vectors);
    const result = await evaluateSts(
      { model: { ...fixtureModel, similarity: fixture.parameters.similarity as Similarity }, provider },
      {
        name: "fixture-sts",
        split: "test",
        contentHash: "hash",
        warnings: [],
        rows: inputs.sentence1.map((sentence1, index) => ({
          sentence1,
          sentence2: inputs.sentence2[index] as string,
          score: inputs.score[index] as number,
        })),
      },
    );
    expect(provider.calls.every((call) => call.inputType === "document")).toBe(true);
    const scores = result.scores.test?.[0];
    expect(scores?.main_score).toBeCloseTo(fixture.expected.unrounded.cosine_spearman as number, 9);
    expect(scores?.pearson).toBeCloseTo(fixture.expected.unrounded.pearson as number, 6);
    const perPair = Object.values(result.embedeval.per_query.test ?? {}).map(
      (item) => item.cosine_spearman as number,
    );
    expect(perPair).toHaveLength(inputs.score.length);
    expect(perPair.reduce((sum, value) => sum + value, 0) / perPair.length).toBeCloseTo(
      scores?.main_score as number,
      12,
    );
    expect(result.embedeval.main_metric).toBe("cosine_spearman");
  });
});
