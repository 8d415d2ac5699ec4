import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import { fixtureComparison, fixtureQueryViewSources } from "../testing/html-report-fixture.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { renderHtmlReport } from "./html-report.js";

describe("renderHtmlReport", () => {
  it("is one self-contained file: Chart.js inlined, no URL to load, a policy that allows only its own scripts", () => {
    const page = renderHtmlReport(fixtureComparison(), { configName: "study" });
    expect(page.startsWith("<!doctype html>")).toBe(true);
    // Outside the scripts (Chart.js has a `toDataURL(`), nothing that could load a resource.
    const markup = page.replace(/<script([^>]*)>[\s\S]*?<\/script>/g, "<script$1></script>");
    expect(markup).not.toMatch(/<link|<img|<iframe|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)=/i);
    expect(page).not.toContain("sourceMappingURL");
    // The chart data (JSON, not run), then Chart.js's UMD build, then the code drawing the charts.
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((script) => script[1])).toEqual([
      ' type="application/json" id="embedeval-chart-data"',
      "",
      "",
    ]);
    expect(scripts[1]?.[2]).toMatch(/^\/\*!\n \* Chart\.js v4\./);
    const hashes = scripts.slice(1).map(
      (script) =>
        `'sha256-${createHash("sha256")
          .update(script[2] as string)
          .digest("base64")}'`,
    );
    expect(page).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.join(" ")}"`,
    );
    expect(page).toContain('<canvas id="quality-vs-cost"');
    expect(page).toContain('<canvas id="quality-vs-latency"');
    expect(page).toContain('<canvas id="comparison-intervals"');
    expect(page).not.toContain("<svg");
    const data = JSON.parse(scripts[0]?.[2] as string) as {
      id: string;
      kind: string;
      points?: unknown[];
      rows?: unknown[];
    }[];
    // The comparison chart has one row per compared (model, task): 5 models on 2 tasks.
    expect(data.map((chart) => [chart.id, chart.kind, (chart.points ?? chart.rows)?.length])).toEqual([
      ["quality-vs-cost", "scatter", 5],
      ["quality-vs-latency", "scatter", 4],
      ["comparison-intervals", "intervals", 10],
    ]);
  });

  it("shows each worse query's top documents before and after, judged, with the start of their texts", () => {
    const comparison = fixtureComparison();
    const sources = fixtureQueryViewSources(comparison);
    const page = renderHtmlReport(comparison, { configName: "study", ...sources });
    const view = page.slice(page.indexOf("<h2>Queries that got worse</h2>"));
    expect(view).not.toContain("Not shown");
    const entry = view.slice(
      view.indexOf("titan-v2-512 × SciFact"),
      view.indexOf("titan-v2-512 × SupportTickets"),
    );
    // The worst query of the regressed model, and its two lists as the predictions have them.
    const worst = /<tr><td><code>(q\d+)<\/code><\/td>/.exec(entry)?.[1] as string;
    const key = JSON.stringify(["titan-v2-512", "SciFact"]);
    const before = sources.predictions?.base?.get(key)?.get("test")?.get(worst) ?? [];
    const after = sources.predictions?.head?.get(key)?.get("test")?.get(worst) ?? [];
    expect(before).toHaveLength(10);
    const block = entry.slice(entry.indexOf(`documents for <code>${worst}</code>`));
    const listed = (caption: string) =>
      [
        ...(block.slice(block.indexOf(caption)).split("</table>")[0] ?? "").matchAll(
          /<td><code>([^<]+)<\/code>/g,
        ),
      ].map((match) => match[1]);
    expect(listed("Before (baseline)")).toEqual(before.map((document) => document.id));
    expect(listed("After (head)")).toEqual(after.map((document) => document.id));
    // Relevant documents (from the judgments) are marked, with the grade, and each document has its text.
    const judged = sources.qrels?.get("SciFact")?.get("test")?.get(worst);
    const relevant = [
      ...(block.split("</details>")[0] ?? "").matchAll(
        /<tr class="relevant"><td class="number">\d+<\/td><td><code>([^<]+)/g,
      ),
    ].map((match) => match[1]);
    expect(relevant.length).toBeGreaterThan(0);
    for (const id of relevant) expect(judged?.get(id as string)).toBeGreaterThan(0);
    const text = sources.documentTexts?.get("SciFact")?.get(before[0]?.id as string) as string;
    expect(text.length).toBeLessThanOrEqual(201);
    expect(block).toContain(`<td class="excerpt">${text}</td>`);
  });

  it("says what it cannot show: without predictions files, the query scores only", () => {
    const page = renderHtmlReport(fixtureComparison(), { configName: "study" });
    expect(page).toContain(
      "Not shown: the query texts (pass the config so the datasets can be read); the top documents before and after",
    );
    expect(page).not.toContain("Before (baseline)");
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
    // The page's own three scripts only: the hostile strings are escaped in the chart data too.
    expect(page.match(/<script/g)).toHaveLength(3);
    expect(page.match(/<\/script/g)).toHaveLength(3);
    expect(page).toContain("\\u003cimg src=x onerror=alert(1)>");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;");
    expect(page).toContain("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("gives every row of the comparison chart its own label, even when two read the same", () => {
    // "a × b" on task "c" and "a" on task "b × c" both read "a × b × c".
    const results = (shift: number) => [
      buildTaskResult({ model: "a × b", task: "c", ndcg: [0.5 + shift, 0.6, 0.7] }),
      buildTaskResult({ model: "a", task: "b × c", ndcg: [0.4 + shift, 0.5, 0.6] }),
      buildTaskResult({ model: "a", task: "d", split: "dev", ndcg: [0.4 + shift, 0.5, 0.6] }),
    ];
    const comparison = compareResults(results(0.1), results(0), defaultCompareRule, { permutations: 100 });
    const page = renderHtmlReport(comparison, { configName: "c" });
    const json = /<script type="application\/json" id="embedeval-chart-data">([\s\S]*?)<\/script>/.exec(
      page,
    )?.[1];
    const chart = (
      JSON.parse(json as string) as { id: string; rows?: { label: string; delta: number }[] }[]
    ).find((candidate) => candidate.id === "comparison-intervals");
    expect(chart?.rows?.map((row) => row.label)).toEqual(["a × b × c", "a × b × c (2)", "a × d (dev)"]);
    for (const row of chart?.rows ?? []) expect(row.delta).toBeCloseTo(-0.1 / 3, 9);
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
