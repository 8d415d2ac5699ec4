import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider } from "../../../test/mteb-task-fixture.js";
import { PythonRandom } from "../../statistics/mersenne-twister.js";
import { clusteringDocuments, evaluateClustering } from "./clustering-task.js";

const rows = Array.from({ length: 60 }, (_, index) => ({
  sentence: `document ${index}`,
  label: `topic-${index % 3}`,
}));
const vectors = Object.fromEntries(
  rows.map((row, index) => [row.sentence, [index % 3, (index * 7) % 5, 1 + (index % 2)]]),
);

describe("clustering documents", () => {
  it("draws 4% with CPython's Random(42) by default", () => {
    const { indices } = clusteringDocuments({ rows });
    expect(indices).toEqual(new PythonRandom(42).sampleRange(60, 2));
  });

  it("embeds every document in order, with no draw, when the task sets embedAll (max_fraction None)", async () => {
    const { indices, random } = clusteringDocuments({ rows, embedAll: true });
    expect(indices).toEqual(rows.map((_, index) => index));
    // The bootstrap continues a stream nothing was drawn from: the first choices are a fresh Random(42)'s.
    expect(random.choicesRange(60, 5)).toEqual(new PythonRandom(42).choicesRange(60, 5));
    const provider = fixtureProvider(vectors);
    const result = await evaluateClustering(
      { model: fixtureModel, provider },
      { name: "all", split: "test", contentHash: "hash", warnings: [], rows, embedAll: true },
    );
    expect(provider.calls.flatMap((call) => call.texts)).toEqual(rows.map((row) => row.sentence));
    expect(result.embedeval.counts.documents).toBe(60);
  });
});
