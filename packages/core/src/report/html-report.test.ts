import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import { fixtureComparison } from "../testing/html-report-fixture.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { renderHtmlReport } from "./html-report.js";
import { niceTicks } from "./html-scatter-chart.js";

describe("renderHtmlReport", () => {
  it("is one self-contained file: no script, no URL to load, a policy that forbids connections", () => {
    const page = renderHtmlReport(fixtureComparison(), { configName: "study" });
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)=/i);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(page).toContain('data-chart="quality-vs-cost"');
    expect(page).toContain('data-chart="quality-vs-latency"');
    expect(page).toContain('data-chart="deltas"');
  });

  it("escapes every string from config and data", () => {
    const hostile = `<img src=x onerror=alert(1)>"'&`;
    const comparison = compareResults(
      [buildTaskResult({ model: hostile, task: `${hostile}task`, ndcg: [0.5, 0.6, 0.7] })],
      [buildTaskResult({ model: hostile, task: `${hostile}task`, ndcg: [0.4, 0.5, 0.6] })],
      defaultCompareRule,
      { permutations: 100 },
    );
    const page = renderHtmlReport(comparison, {
      configName: hostile,
      queryTexts: new Map([[`${hostile}task`, new Map([["q0", `</td><script>alert(1)</script>`]])]]),
    });
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<script");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;");
    expect(page).toContain("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("without a baseline shows absolute scores and no comparison or per-query view", () => {
    const comparison = compareResults(
      [],
      [buildTaskResult({ model: "bm25", task: "T", ndcg: [0.5] })],
      defaultCompareRule,
    );
    const page = renderHtmlReport(comparison, { configName: "c" });
    expect(page).toContain("No baseline: absolute scores.");
    expect(page).not.toContain("Comparison with the baseline");
    expect(page).not.toContain("Queries that got worse");
  });
});

describe("niceTicks", () => {
  it("covers the range with steps of 1, 2 or 5 times a power of ten", () => {
    expect(niceTicks(0, 0.1)).toEqual({ ticks: [0, 0.02, 0.04, 0.06, 0.08, 0.1], low: 0, high: 0.1 });
    expect(niceTicks(0.55, 0.72).ticks).toEqual([0.55, 0.6, 0.65, 0.7, 0.75]);
    expect(niceTicks(40, 200)).toEqual({ ticks: [0, 50, 100, 150, 200], low: 0, high: 200 });
  });
});
