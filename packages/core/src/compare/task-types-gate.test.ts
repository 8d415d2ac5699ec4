import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../test/mteb-task-fixture.js";
import { renderMarkdownReport } from "../report/markdown-report.js";
import { evaluateSts } from "../tasks/sts/sts-task.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { compareResults } from "./compare-results.js";
import { defaultCompareRule } from "./compare-rule.js";
import { gateVerdict } from "./gate-verdict.js";

/**
 * The gate on several task types: a head that improves retrieval but hurts STS beyond the rule fails,
 * each judged on its own main score with its own per-item unit (per query, per pair).
 */
describe("gate across task types", () => {
  it("fails a head whose STS regresses even though its retrieval improves, and shows both", async () => {
    const fixture = readMtebTaskFixture("sts-1");
    const inputs = fixture.inputs as { sentence1: string[]; sentence2: string[]; score: number[] };
    const dataset = {
      name: "my-sts",
      split: "test",
      contentHash: "same-data",
      warnings: [],
      rows: inputs.sentence1.map((sentence1, index) => ({
        sentence1,
        sentence2: inputs.sentence2[index] as string,
        score: inputs.score[index] as number,
      })),
    };
    const baseSts = await evaluateSts(
      { model: fixtureModel, provider: fixtureProvider(fixture.vectors) },
      dataset,
    );
    // The head model embeds every second sentence2 as the next row's: a broken model for similarity.
    const broken = { ...fixture.vectors };
    inputs.sentence2.forEach((text, index) => {
      if (index % 2 === 0)
        broken[text] = fixture.vectors[
          inputs.sentence2[(index + 1) % inputs.sentence2.length] as string
        ] as number[];
    });
    const headSts = await evaluateSts({ model: fixtureModel, provider: fixtureProvider(broken) }, dataset);
    const ndcg = Array.from({ length: 200 }, (_, index) => 0.3 + (index % 7) / 20);
    const baseRetrieval = buildTaskResult({ model: "fixture-model", task: "docs", ndcg });
    const headRetrieval = buildTaskResult({
      model: "fixture-model",
      task: "docs",
      ndcg: ndcg.map((value) => value + 0.05),
    });

    const comparison = compareResults([baseRetrieval, baseSts], [headRetrieval, headSts], {
      ...defaultCompareRule,
      metric: "main_score",
    });
    const verdict = gateVerdict(comparison);
    expect(verdict.passed).toBe(false);
    const sts = comparison.entries.find((entry) => entry.task === "my-sts");
    const docs = comparison.entries.find((entry) => entry.task === "docs");
    expect(sts?.primary.metric).toBe("cosine_spearman");
    expect(sts?.primary.verdict).toBe("regression");
    expect(sts?.primary.pairedQueries).toBe(inputs.score.length);
    expect(docs?.primary.verdict).toBe("improvement");
    const comment = renderMarkdownReport(comparison, { configName: "test" });
    expect(comment).toContain("my-sts");
    expect(comment).toContain("docs");
  });
});
