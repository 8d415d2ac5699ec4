import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import type { CompareOverride, CompareRule } from "../compare/compare-rule.js";
import { buildTaskResult, noisyScores } from "../testing/task-result-builder.js";
import { commentMarker, escapeHtml, escapeMarkdown, stripControlCharacters } from "./markdown-escape.js";
import { githubCommentLimit, renderMarkdownReport, runDetailsMarker } from "./markdown-report.js";
import { metricLabel } from "./report-format.js";

const rule: CompareRule & { overrides: CompareOverride[] } = {
  metric: "ndcg_at_10",
  maxDrop: { kind: "absolute", amount: 0.005 },
  significance: 0.05,
  resamples: 1000,
  seed: 1,
  overrides: [],
};
const now = new Date("2026-11-27T00:00:00Z");

function sampleComparison() {
  const scores = noisyScores(60, 0.6, 0.3, 1).map((value) => Math.max(0.1, value));
  const base = [
    buildTaskResult({ model: "titan-v2", task: "SciFact", ndcg: scores }),
    buildTaskResult({ model: "cohere-v3", task: "SciFact", ndcg: scores }),
  ];
  const head = [
    buildTaskResult({ model: "titan-v2", task: "SciFact", ndcg: scores.map((value) => value - 0.05) }),
    buildTaskResult({
      model: "cohere-v3",
      task: "SciFact",
      ndcg: scores,
      usage: { cacheHits: 1200, costUsd: 0 },
    }),
    buildTaskResult({ model: "bge-small", task: "SciFact", ndcg: scores }),
  ];
  return compareResults(base, head, rule, { permutations: 2000 });
}

describe("renderMarkdownReport", () => {
  it("starts with the config's hidden marker and summarises regressions and the baseline's age", () => {
    const markdown = renderMarkdownReport(sampleComparison(), {
      configName: "retrieval",
      baseline: { commit: "0123456789abcdef", date: new Date("2026-11-24T12:00:00Z"), source: "merge-base" },
      headCommit: "fedcba9876543210",
      repositoryUrl: "https://github.com/o/r",
      fullReportUrl: "https://github.com/o/r/actions/runs/9",
      htmlReportArtifact: "embedeval-report",
      now,
    });
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("<!-- embedeval:retrieval -->");
    // The first visible line names what regressed: model, task, metric and delta.
    expect(lines.find((line) => line.trim() !== "" && !line.startsWith("<!--"))).toBe(
      "### ❌ titan-v2 × SciFact: nDCG@\u200b10 -5.00 points · embedeval: retrieval",
    );
    expect(markdown).toContain("❌ **1 regression**");
    expect(markdown).toContain(
      "Head: [`fedcba9`](https://github.com/o/r/commit/fedcba9876543210) · Baseline: [`0123456`](https://github.com/o/r/commit/0123456789abcdef) (merge-base, committed 2 days ago)",
    );
    expect(markdown).toContain(
      "[Workflow run](https://github.com/o/r/actions/runs/9) · [HTML report: artifact `embedeval-report`](https://github.com/o/r/actions/runs/9#artifacts)",
    );
    // The verdict right after the model.
    expect(markdown).toContain("| Model | Verdict | Task | nDCG@\u200b10 | Δ | 95% CI | p |");
    expect(markdown).toMatch(/\| titan-v2 \| ❌ regression \| SciFact \| [\d.]+ \| ▼\u00a0-5\.00 \|/);
    expect(markdown).toContain("| bge-small | 🆕 added | SciFact |");
    // The delta chart: one line per compared model with its own full label; the added model has no delta.
    const chart = markdown.slice(markdown.indexOf("```text"), markdown.lastIndexOf("```"));
    expect(chart.split("\n").filter((line) => /^\S.* × SciFact/.test(line))).toHaveLength(2);
    expect(chart).toMatch(/^titan-v2 × SciFact +[ *:|+-]+ -5\.00 \[-5\.00, -5\.00\] ▼$/m);
    // Ungated metrics: deltas without verdicts, in one fold.
    expect(markdown).toMatch(/<details><summary>Every other metric \(3 rows, not gated\)<\/summary>/);
    expect(markdown).toMatch(/\| titan-v2 \| SciFact \| Recall@\u200b10 \| [\d.]+ \| [\d.]+ \| -5\.00 \| /);
    // Run details (latency, cost) below the marker, outside the compared body.
    const [stable, details] = markdown.split(runDetailsMarker);
    expect(stable).not.toContain("ms |");
    expect(details).toContain("This run embedded 3,600 texts (1,200 more came from the cache) for $0.002.");
    expect(details).toContain("| cohere-v3 | SciFact | 120 / 340 ms | $0 | 1,200 (1,200) |");
  });

  it("reports absolute scores and no failure when there is no baseline", () => {
    const comparison = compareResults(
      [],
      [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: [0.5, 0.7] })],
      rule,
    );
    const markdown = renderMarkdownReport(comparison, { configName: "c", now });
    expect(markdown).toContain("**No baseline yet**");
    expect(markdown).toContain("### 📐 No baseline yet · embedeval: c");
    expect(markdown).toContain("| bm25 | 🆕 added | SciFact | 60.00 |");
    expect(markdown).not.toContain("```text");
    expect(markdown).not.toContain("Baseline:");
  });

  it("renders a failed model with its escaped message and a failed verdict, without the base run's cost", () => {
    const scores = noisyScores(30, 0.6, 0.3, 5);
    const comparison = compareResults(
      [
        buildTaskResult({ model: "titan-v2", task: "SciFact", ndcg: scores }),
        buildTaskResult({ model: "cohere-v3", task: "SciFact", ndcg: scores, usage: { costUsd: 0.5 } }),
      ],
      [buildTaskResult({ model: "titan-v2", task: "SciFact", ndcg: scores })],
      rule,
      {
        permutations: 500,
        failures: [{ model: "cohere-v3", message: "error: 404 <endpoint> | @team\n  hint: check it" }],
      },
    );
    const markdown = renderMarkdownReport(comparison, { configName: "retrieval", now });
    expect(markdown).toContain("💥 **1 failed** · ✅ **No regressions**");
    expect(markdown).toContain(
      "- 💥 **cohere-v3 × SciFact** failed: error: 404 &lt;endpoint&gt; \\| @\u200bteam hint: check it",
    );
    expect(markdown).toContain("### 💥 cohere-v3 × SciFact failed to evaluate · embedeval: retrieval");
    expect(markdown).toMatch(/\| cohere-v3 \| 💥 failed \| SciFact \| [\d.]+ \| — \| — \| — \|/);
    // The run details list this run's usage only: the failed model's base cost is not there.
    expect(markdown.split(runDetailsMarker)[1]).not.toContain("cohere-v3");
    expect(markdown).not.toContain("removed");
  });

  it("says on the row and in the details that the dataset changed, with the paired delta", () => {
    const scores = noisyScores(50, 0.6, 0.3, 6).map((value) => Math.max(0.1, value));
    const base = buildTaskResult({ model: "titan-v2", task: "SciFact", ndcg: scores });
    const head = buildTaskResult({
      model: "titan-v2",
      task: "SciFact",
      ndcg: scores.slice(0, 40).map((value) => value - 0.05),
    });
    base.dataset_revision = "0228b52c";
    head.dataset_revision = "`new`<rev>";
    const markdown = renderMarkdownReport(compareResults([base], [head], rule, { permutations: 500 }), {
      configName: "retrieval",
      now,
    });
    expect(markdown).toMatch(
      /\| titan-v2 \| 📦 dataset changed \(Δ on 40 paired queries\) \| SciFact \| [\d.]+ \| ▼\u00a0-5\.00 \|/,
    );
    expect(markdown).toContain("✅ **No regressions**");
    expect(markdown).toContain("📦 1 with a changed dataset (not gated)");
    expect(markdown).toContain(
      "- 📦 **titan-v2 × SciFact**: the baseline scored revision 0228b52c, this run \\`new\\`&lt;rev&gt;. Deltas are means over the 40 queries scored on both sides; the row is not gated.",
    );
  });

  it("escapes every string from config and data", () => {
    const nasty = "evil|model`<img src=x onerror=alert(1)>@octocat #12\nnext";
    const comparison = compareResults(
      [],
      [buildTaskResult({ model: nasty, task: 'Task"]; click', ndcg: [0.5] })],
      rule,
    );
    const markdown = renderMarkdownReport(comparison, { configName: "name --> <b>", now });
    expect(markdown).not.toContain("<img");
    expect(markdown).not.toContain("@octocat");
    const tableText = markdown
      .split("\n")
      .filter((line) => line.startsWith("| "))
      .join("\n");
    expect(tableText).not.toContain("evil|model");
    expect(markdown).not.toContain("model`");
    expect(markdown).toContain(
      "evil\\|model\\`&lt;img src=x onerror=alert(1)&gt;@\u200boctocat #\u200b12 next",
    );
    // The marker cannot be closed early by the config name.
    expect(markdown.split("\n")[0]).toBe("<!-- embedeval:name - b -->");
    // Every table line has the same number of unescaped pipes.
    const tableLines = markdown.split("\n").filter((line) => line.startsWith("| "));
    const pipes = (line: string) => line.replace(/\\\|/g, "").split("|").length;
    expect(new Set(tableLines.slice(0, 2).map(pipes)).size).toBe(1);
  });

  it("stays under GitHub's limit with a truncation note pointing to the job summary", () => {
    const base = [];
    const head = [];
    for (let index = 0; index < 400; index++) {
      const scores = noisyScores(30, 0.5, 0.2, index);
      base.push(buildTaskResult({ model: `model-${index}`, task: `Task-${index}`, ndcg: scores }));
      head.push(
        buildTaskResult({
          model: `model-${index}`,
          task: `Task-${index}`,
          ndcg: scores.map((v) => v * 0.99),
        }),
      );
    }
    const comparison = compareResults(base, head, rule, { permutations: 200 });
    const full = renderMarkdownReport(comparison, { configName: "big", now, maxLength: 10_000_000 });
    expect(full.length).toBeGreaterThan(githubCommentLimit);
    const markdown = renderMarkdownReport(comparison, {
      configName: "big",
      now,
      fullReportUrl: "https://github.com/o/r/actions/runs/1",
    });
    expect(markdown.length).toBeLessThan(githubCommentLimit);
    expect(markdown).toContain("Report truncated");
    expect(markdown).toContain("[job summary](https://github.com/o/r/actions/runs/1)");
    expect(markdown.startsWith(commentMarker("big"))).toBe(true);
    const small = renderMarkdownReport(comparison, { configName: "big", now, maxLength: 3000 });
    expect(small.length).toBeLessThanOrEqual(3000);
    expect(small).toContain("table rows left out");
  });
});

describe("renderMarkdownReport truncation", () => {
  // 200 rows; the 12 regressions sit at the end of the table, after the noise rows.
  function manyRows() {
    const base = [];
    const head = [];
    for (let index = 0; index < 200; index++) {
      const scores = noisyScores(30, 0.5, 0.2, index).map((value) => Math.max(0.1, value));
      const regressed = index >= 180 && index % 2 === 0;
      const improved = index === 5;
      base.push(buildTaskResult({ model: `model-${index}`, task: "SciFact", ndcg: scores }));
      head.push(
        buildTaskResult({
          model: `model-${index}`,
          task: "SciFact",
          ndcg: scores.map((value) => (regressed ? value - 0.05 : improved ? value + 0.05 : value * 0.999)),
        }),
      );
    }
    return compareResults(base, head, rule, { permutations: 200, metrics: "gated" });
  }

  it("drops the least important rows first, keeps every regression and says what was left out", () => {
    const comparison = manyRows();
    expect(comparison.regressions).toHaveLength(10);
    const markdown = renderMarkdownReport(comparison, { configName: "big", now, maxLength: 8_000 });
    expect(markdown.length).toBeLessThanOrEqual(8_000);
    const rows = markdown.split("\n").filter((line) => /^\| model-\d+ /.test(line));
    expect(rows.filter((line) => line.includes("❌ regression"))).toHaveLength(10);
    expect(rows.filter((line) => line.includes("✅ improvement"))).toHaveLength(1);
    // Kept rows stay in table order.
    const indexes = rows.map((line) => Number(/model-(\d+)/.exec(line)?.[1]));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    const omitted = 200 - rows.length;
    expect(omitted).toBeGreaterThan(100);
    expect(markdown).toMatch(
      new RegExp(
        `all detail sections and ${omitted} of 200 table rows left out, least important first: \\d+ (noise|unchanged)`,
      ),
    );
    expect(markdown).not.toMatch(/left out.*regression/);
  });

  it("counts the budget in UTF-8 bytes when asked (the job summary's 1 MiB limit)", () => {
    const comparison = manyRows();
    const full = renderMarkdownReport(comparison, { configName: "big", now, maxLength: 10_000_000 });
    expect(Buffer.byteLength(full)).toBeGreaterThan(full.length); // emoji and arrows: several bytes each
    const budget = full.length - 100; // fits in characters, not in bytes
    const inCharacters = renderMarkdownReport(comparison, {
      configName: "big",
      now,
      maxLength: budget + 100,
    });
    expect(inCharacters).toBe(full);
    const inBytes = renderMarkdownReport(comparison, {
      configName: "big",
      now,
      maxLength: full.length,
      lengthUnit: "bytes",
    });
    expect(inBytes).toContain("Report truncated");
    expect(Buffer.byteLength(inBytes)).toBeLessThanOrEqual(full.length);
    // The hard cut (a budget smaller than the header) never leaves half a surrogate pair.
    const tiny = renderMarkdownReport(comparison, {
      configName: "📐".repeat(300),
      now,
      maxLength: 700,
      lengthUnit: "bytes",
    });
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(700);
    expect(tiny).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe("escapeMarkdown", () => {
  it("neutralises markup, mentions and newlines", () => {
    expect(escapeMarkdown("a*b_c [x](y) <t> @u #1\r\nz")).toBe(
      "a\\*b\\_c \\[x\\](y) &lt;t&gt; @\u200bu #\u200b1 z",
    );
  });
});

describe("control characters from names", () => {
  it("never reach a comment: ANSI sequences, C1 controls and bidirectional overrides are removed", () => {
    const hostile = "model\u001b[2J\u001b[31mred\u009b\u202egnp.exe\u0007";
    for (const escaped of [escapeMarkdown(hostile), escapeHtml(hostile), commentMarker(hostile)]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
      expect(escaped).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    expect(stripControlCharacters(hostile)).toBe("model[2J[31mredgnp.exe");
  });
});

describe("the delta chart", () => {
  it("keeps one row per model even when long names share their first characters", () => {
    const scores = noisyScores(40, 0.6, 0.2, 9).map((value) => Math.max(0.1, value));
    const names = [
      "multilingual-e5-large-instruct-quantised-int8-a",
      "multilingual-e5-large-instruct-quantised-int8-b",
    ];
    const base = names.map((model) => buildTaskResult({ model, task: "SupportTickets", ndcg: scores }));
    const head = names.map((model, index) =>
      buildTaskResult({ model, task: "SupportTickets", ndcg: scores.map((value) => value - 0.02 * index) }),
    );
    const markdown = renderMarkdownReport(compareResults(base, head, rule, { permutations: 500 }), {
      configName: "long",
      now,
    });
    const chart = markdown.slice(markdown.indexOf("```text") + 8, markdown.lastIndexOf("```"));
    const labels = chart
      .split("\n")
      .filter((line) => line.startsWith("multilingual"))
      .map((line) => line.split("  ")[0]);
    expect(labels).toHaveLength(2);
    expect(new Set(labels).size).toBe(2);
    // Cut to the same 43 characters, then numbered: still two distinct rows.
    expect(labels).toEqual([
      "multilingual-e5-large-instruct-quantised-in… (1)",
      "multilingual-e5-large-instruct-quantised-in… (2)",
    ]);
  });
});

describe("metricLabel", () => {
  it("reads as people write metrics", () => {
    expect(metricLabel("ndcg_at_10")).toBe("nDCG@10");
    expect(metricLabel("hit_rate_at_10")).toBe("Hit@10");
    expect(metricLabel("precision_at_5")).toBe("P@5");
    expect(metricLabel("cos_sim_spearman")).toBe("cos sim spearman");
  });
});
