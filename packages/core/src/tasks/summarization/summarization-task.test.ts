import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import { evaluateSummarization } from "./summarization-task.js";

describe("evaluateSummarization", () => {
  it("never embeds the source text and keeps one per-text score per kept text", async () => {
    const fixture = readMtebTaskFixture("summarization-1");
    const inputs = fixture.inputs as {
      text: string[];
      human_summaries: string[][];
      machine_summaries: string[][];
      relevance: number[][];
    };
    const provider = fixtureProvider(fixture.vectors);
    const result = await evaluateSummarization(
      { model: { ...fixtureModel, similarity: fixture.parameters.similarity as Similarity }, provider },
      {
        name: "fixture-summaries",
        split: "test",
        contentHash: "hash",
        warnings: [],
        rows: inputs.human_summaries.map((humanSummaries, index) => ({
          humanSummaries,
          machineSummaries: inputs.machine_summaries[index] as string[],
          relevance: inputs.relevance[index] as number[],
        })),
      },
    );
    const sent = new Set(provider.calls.flatMap((call) => call.texts));
    expect(inputs.text.some((text) => sent.has(text))).toBe(false);
    const scores = result.scores.test?.[0];
    expect(scores?.main_score).toBeCloseTo(fixture.expected.unrounded.cosine_spearman as number, 9);
    const perText = Object.keys(result.embedeval.per_query.test ?? {});
    expect(perText).toHaveLength(inputs.text.length - fixture.intermediate.skipped_rows.length);
  });
});
