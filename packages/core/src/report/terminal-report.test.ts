import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { renderTerminalReport } from "./terminal-report.js";

const rule = {
  metric: "ndcg_at_10",
  maxDrop: { kind: "absolute" as const, amount: 0.01 },
  significance: 0.05,
  resamples: 1000,
  seed: 1,
  overrides: [],
};

describe("renderTerminalReport", () => {
  const scores = new Array(40).fill(0.5);
  const comparison = compareResults(
    [buildTaskResult({ model: "a", task: "SciFact", ndcg: scores })],
    [
      buildTaskResult({ model: "a", task: "SciFact", ndcg: scores.map((value) => value - 0.1) }),
      buildTaskResult({ model: "long-model-name\u001b[2J", task: "T", ndcg: scores }),
    ],
    rule,
    { permutations: 500 },
  );

  it("aligns columns and uses no colour when not asked", () => {
    const text = renderTerminalReport(comparison, { color: false });
    expect(text).not.toContain("\u001b");
    const lines = text.split("\n");
    const headerTask = lines[0]?.indexOf("task");
    expect(lines[1]?.indexOf("SciFact")).toBe(headerTask);
    expect(lines[2]?.indexOf("T ")).toBe(headerTask);
    expect(text).toContain("-10.00");
    expect(text).toContain("regression");
    expect(text).toContain("long-model-name?[2J");
    expect(text).toContain("1 regression(s)");
  });

  it("colours regressions red on a TTY", () => {
    const text = renderTerminalReport(comparison, { color: true });
    expect(text).toMatch(new RegExp(`${"\u001b"}\\[31m[^\\n]*regression`));
  });

  it("lists every metric when asked", () => {
    expect(renderTerminalReport(comparison, { color: false, allMetrics: true })).toContain("Recall@10");
  });
});
