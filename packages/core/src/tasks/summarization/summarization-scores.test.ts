import { describe, expect, it } from "vitest";
import { fixtureVector, metricDifferences, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { scoreSummarization } from "./summarization-scores.js";

describe.each(["summarization-1", "summarization-2"])("summarization against %s", (name) => {
  it("equals MTEB's SummarizationEvaluator to 1e-6 and skips the same texts", () => {
    const fixture = readMtebTaskFixture(name);
    const inputs = fixture.inputs as {
      human_summaries: string[][];
      machine_summaries: string[][];
      relevance: number[][];
    };
    const texts = inputs.human_summaries.map((human, index) => ({
      humanVectors: human.map((text) => fixtureVector(fixture.vectors, text)),
      machineVectors: (inputs.machine_summaries[index] as string[]).map((text) =>
        fixtureVector(fixture.vectors, text),
      ),
      relevance: inputs.relevance[index] as number[],
    }));
    const result = scoreSummarization(texts, fixture.parameters.similarity as Similarity);
    expect(result.skipped).toEqual(fixture.intermediate.skipped_rows);
    expect(
      metricDifferences(
        fixture.expected.unrounded,
        { ...result.scores, main_score: result.scores.cosine_spearman },
        1e-6,
      ),
    ).toEqual([]);
  });
});
