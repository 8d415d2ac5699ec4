import { describe, expect, it } from "vitest";
import { fixtureVector, metricDifferences, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { scoreBitextMining } from "./bitext-mining-scores.js";
import { torchTopOneIndex } from "./torch-top-one.js";

describe.each(["bitext_mining-1", "bitext_mining-2"])("bitext mining against %s", (name) => {
  it("chooses torch's targets among ties and equals MTEB's metrics to 1e-6", () => {
    const fixture = readMtebTaskFixture(name);
    const { sentence1, sentence2 } = fixture.inputs as { sentence1: string[]; sentence2: string[] };
    const result = scoreBitextMining(
      sentence1.map((text) => fixtureVector(fixture.vectors, text)),
      sentence2.map((text) => fixtureVector(fixture.vectors, text)),
      fixture.parameters.similarity as Similarity,
    );
    expect(result.predictions).toEqual(fixture.intermediate.predictions);
    expect(
      metricDifferences(fixture.expected.unrounded, { ...result.scores, main_score: result.scores.f1 }, 1e-6),
    ).toEqual([]);
  });
});

describe("torchTopOneIndex", () => {
  it("takes the first maximum from 64 candidates on (partial_sort)", () => {
    const scores = Array.from({ length: 70 }, (_, index) => (index === 10 || index === 50 ? 1 : 0));
    expect(torchTopOneIndex(scores)).toBe(10);
  });

  it("returns the single maximum whatever the size", () => {
    expect(torchTopOneIndex([0.1, 0.9, 0.3, 0.2, 0.5, 0.4])).toBe(1);
  });
});
