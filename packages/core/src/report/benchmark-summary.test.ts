import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import type { TaskResult } from "../results/task-result.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { renderHtmlReport } from "./html-report.js";
import { escapeMarkdown } from "./markdown-escape.js";
import { renderMarkdownReport } from "./markdown-report.js";

/** Two MTEB(eng, v2) retrieval tasks and its STS task; main scores are the means of the per-item scores. */
function results(model: string, arguAna: number[]): TaskResult[] {
  const sts = buildTaskResult({ model, task: "STSBenchmark", ndcg: [0.7, 0.9] });
  sts.embedeval.task_type = "STS";
  return [
    buildTaskResult({ model, task: "ArguAna", ndcg: arguAna }),
    sts,
    buildTaskResult({ model, task: "SCIDOCS", ndcg: [0.2, 0.4] }),
  ];
}

const hostile = "@octocat #12 <b>x</b>";

function comparison(withBase: boolean) {
  return compareResults(
    withBase ? [...results("bge", [0.6, 0.6]), ...results(hostile, [0.5, 0.5])] : [],
    [
      ...results("bge", [0.4, 0.6]),
      ...results(hostile, [0.5, 0.5]),
      ...results("solo", [0.5, 0.5]).slice(0, 1),
    ],
    defaultCompareRule,
    { permutations: 100 },
  );
}

// bge, head: ArguAna 50, SCIDOCS 30, STSBenchmark 80 -> mean over tasks 53.33, Retrieval 40, STS 80,
// mean over types 60. Base: ArguAna 60 -> 56.67, Retrieval 45, types 62.5.
const bgeCells = ["53.33 (-3.33)", "60.00 (-2.50)", "40.00 (-5.00)", "80.00 (±0.00)", "3 of 41"];

describe("MTEB(eng, v2)'s aggregates in the reports", () => {
  it("the comment shows them per model, tasks grouped by type, head with the change from the base", () => {
    const markdown = renderMarkdownReport(comparison(true), { configName: "study" });
    expect(markdown).toContain(
      "| Model | Mean (task) | Mean (task type) | Retrieval | STS | Tasks |\n|---|--:|--:|--:|--:|--:|",
    );
    expect(markdown).toContain(`| bge | ${bgeCells.join(" | ")} |`);
    // A model name from data is escaped here as everywhere in the comment; a model with one of the
    // benchmark's tasks has no aggregates.
    expect(markdown).toContain(`| ${escapeMarkdown(hostile)} | 53.33 (±0.00) | 60.00 (±0.00) |`);
    expect(markdown).not.toMatch(/\| solo \| \d/);
  });

  it("the comment's table groups the tasks by type, each naming its type", () => {
    const markdown = renderMarkdownReport(comparison(true), { configName: "study" });
    const table = markdown.slice(markdown.indexOf("| Model | Verdict | Task |"));
    const tasks = [...(table.split("\n\n")[0] ?? "").matchAll(/^\| [^|]+ \| [^|]+ \| ([^|]+) \|/gm)]
      // The header, then the rows (the separator has no spaces).
      .slice(1)
      .map((match) => match[1]);
    expect(tasks).toEqual([
      "ArguAna · Retrieval",
      "SCIDOCS · Retrieval",
      "ArguAna · Retrieval",
      "SCIDOCS · Retrieval",
      "ArguAna · Retrieval",
      "STSBenchmark · STS",
      "STSBenchmark · STS",
    ]);
  });

  it("without a baseline the comment shows the head's means alone", () => {
    const markdown = renderMarkdownReport(comparison(false), { configName: "study" });
    expect(markdown).toContain("| bge | 53.33 | 60.00 | 40.00 | 80.00 | 3 of 41 |");
  });

  it("the HTML report shows them too, and groups the task tables under their types", () => {
    const page = renderHtmlReport(comparison(true), { configName: "study" });
    const table = page.slice(page.indexOf('<table data-benchmark="MTEB(eng, v2)">'));
    expect(table).toContain(
      "<th>Model</th><th>Mean (task)</th><th>Mean (task type)</th><th>Retrieval</th><th>STS</th><th>Tasks</th>",
    );
    expect(table).toContain(
      `<tr><td>bge</td>${bgeCells.map((cell) => `<td class="number">${cell}</td>`).join("")}</tr>`,
    );
    expect(table).toContain("<td>@octocat #12 &lt;b&gt;x&lt;/b&gt;</td>");
    const tasks = page.slice(page.indexOf("<h2>Tasks</h2>"));
    const headings = [...tasks.matchAll(/<h3[^>]*>([^<]+)<\/h3>/g)].map((match) => match[1]);
    expect(headings.slice(0, 5)).toEqual(["Retrieval", "ArguAna", "SCIDOCS", "STS", "STSBenchmark"]);
  });
});
