import type { TaskResult } from "@embedeval/core";
import { describe, expect, it } from "vitest";
import { renderResultsTable, renderScoreBars } from "./results-table.js";

function result(model: string, task: string, ndcg: number): TaskResult {
  return {
    task_name: task,
    scores: {
      test: [
        { main_score: ndcg, ndcg_at_10: ndcg, map_at_10: ndcg / 2, hf_subset: "default", languages: [] },
      ],
    },
    evaluation_time: 1.25,
    embedeval: {
      model: { id: model },
      usage: {
        textsEmbedded: 1200,
        cacheHits: 3,
        latencyMs: { p50: 40, p95: 90, mean: 50 },
        costUsd: 0.0042,
      },
    },
  } as unknown as TaskResult;
}

describe("results table", () => {
  it("right-aligns numbers, shows scores in points, latency, cost and cache use", () => {
    const table = renderResultsTable([
      result("titan-v2-512", "scifact", 0.7123),
      result("bm25", "scifact", 0.6789),
    ]);
    const [header, rule, first, second] = table.split("\n");
    expect(header).toMatch(/^model\s+task\s+nDCG@10\s+MAP@10/);
    expect(rule).toMatch(/^─+ {2}─+/);
    expect(first).toMatch(
      /^titan-v2-512\s+scifact\s+71\.23\s+35\.62\s+-\s+-\s+1,200\s+3\s+40\/90\s+\$0\.0042\s+1\.3 s$/,
    );
    expect(second?.indexOf("67.89")).toBe(first?.indexOf("71.23"));
  });

  it("draws nDCG@10 bars per task, best first, proportional to the score", () => {
    const bars = renderScoreBars([result("a", "t", 0.25), result("b", "t", 0.5)], 40).split("\n");
    expect(bars[0]).toBe("t: nDCG@10 (0 to 100)");
    expect(bars[1]).toBe(`  b  ${"█".repeat(20).padEnd(40)}  50.00`);
    expect(bars[2]).toBe(`  a  ${"█".repeat(10).padEnd(40)}  25.00`);
  });
});

describe("results table with several task types", () => {
  it("renders one table per type, retrieval first, each with its own columns", () => {
    const sts = result("a", "my-sts", 0.8);
    sts.embedeval.task_type = "STS";
    sts.embedeval.main_metric = "cosine_spearman";
    (sts.scores.test?.[0] as Record<string, unknown>).cosine_spearman = 0.8;
    const text = renderResultsTable([sts, result("a", "scifact", 0.7)]);
    const blocks = text.split("\n\n");
    expect(blocks[0]?.split("\n")[0]).toBe("Retrieval");
    expect(blocks[1]?.split("\n")[0]).toBe("STS");
    expect(blocks[1]?.split("\n")[1]).toMatch(/^model\s+task\s+cosine spearman/);
    expect(blocks[1]).toMatch(/a\s+my-sts\s+80\.00/);
    expect(renderScoreBars([sts], 40).split("\n")[0]).toBe("my-sts: cosine spearman (0 to 100)");
  });
});

describe("benchmark aggregates under the table", () => {
  it("shows MTEB(eng, v2)'s mean over tasks and over task types for a model that ran two of its tasks", () => {
    const sts = result("m", "STS12", 0.8);
    sts.embedeval.task_type = "STS";
    sts.embedeval.main_metric = "cosine_spearman";
    const text = renderResultsTable([result("m", "SCIDOCS", 0.2), result("m", "ArguAna", 0.4), sts]);
    // Tasks: (0.2 + 0.4 + 0.8) / 3; types: (0.3 + 0.8) / 2.
    expect(text).toContain(
      "MTEB(eng, v2)\n  m: mean (task) 46.67, mean (task type) 55.00, over 3 of its 41 tasks",
    );
    expect(renderResultsTable([result("m", "scifact", 0.7)])).not.toContain("MTEB(eng, v2)");
  });
});
