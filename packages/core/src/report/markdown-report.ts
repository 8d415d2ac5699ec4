import type { Comparison, ComparisonEntry, ComparisonRow, Verdict } from "../compare/comparison.js";
import type { UsageSummary } from "../runtime/usage-summary.js";
import { commentMarker, escapeHtml, escapeMarkdown, mermaidLabel } from "./markdown-escape.js";
import {
  formatAge,
  formatCost,
  formatCount,
  formatDelta,
  formatInterval,
  formatLatency,
  formatPValue,
  formatScore,
  metricLabel,
} from "./report-format.js";

/** GitHub rejects issue comments longer than this many characters. */
export const githubCommentLimit = 65_536;

export interface BaselineDescription {
  /** Full commit SHA whose results are the base side. */
  commit?: string;
  /** When that commit was made (its age is shown). */
  date?: Date;
  /** How it was found, e.g. "merge-base of the pull request" or "nearest ancestor with results". */
  source?: string;
}

export interface MarkdownReportOptions {
  /** The config's name; goes into the hidden marker so several configs keep separate comments. */
  configName: string;
  /** The base side; omit (or baselineMissing in the comparison) for "no baseline yet". */
  baseline?: BaselineDescription;
  /** The evaluated commit. */
  headCommit?: string;
  /** Where the full report lives (job summary / run page), linked from the truncation note. */
  fullReportUrl?: string;
  /** Budget; defaults to a little under GitHub's 65,536-character comment limit. */
  maxLength?: number;
  /**
   * What maxLength counts: UTF-16 characters (GitHub's comment limit) or UTF-8 bytes (the job summary's
   * 1 MiB limit: the report's emoji and arrows take 3-4 bytes each, so characters undercount by ~10%).
   */
  lengthUnit?: "characters" | "bytes";
  /** "Now", for the baseline's age (tests pass a fixed date). */
  now?: Date;
  /** Include the mermaid chart (default true). */
  chart?: boolean;
}

const verdictLabels: Record<Verdict, string> = {
  regression: "❌ regression",
  improvement: "✅ improvement",
  noise: "〰️ noise",
  unchanged: "➖ unchanged",
  added: "🆕 added",
  removed: "🗑️ removed",
  failed: "💥 failed",
  "dataset changed": "📦 dataset changed",
};

/**
 * The pull request comment (also the job summary): hidden marker, a summary line, the model x task table
 * with the gated metric, a mermaid chart of the deltas, and every metric in collapsible details. Every
 * string from config or data is escaped. Longer than the budget, it drops details (then table rows), least
 * important first (noise and unchanged before added/removed/failed, improvements, warnings, regressions),
 * says how many of which were left out, and where the full report is.
 */
export function renderMarkdownReport(comparison: Comparison, options: MarkdownReportOptions): string {
  const maxLength = options.maxLength ?? githubCommentLimit - 536;
  const head = [
    commentMarker(options.configName),
    renderTitle(options),
    renderSummary(comparison, options),
    renderFailures(comparison),
  ].filter((part) => part !== "");
  const table = renderTable(comparison);
  const chart = options.chart === false ? "" : renderChart(comparison);
  const detailsByEntry = comparison.entries.map(renderEntryDetails);
  const details = detailsByEntry.filter((block) => block !== "");
  const footer = renderFooter(comparison);

  // Rows and detail sections are dropped least important first, so the regressions stay visible.
  const order = importanceOrder(comparison.entries);
  const keepTop = <T>(items: T[], count: number): T[] => {
    const kept = new Set(order.slice(0, count));
    return items.filter((_, index) => kept.has(index));
  };
  const size = (text: string) => (options.lengthUnit === "bytes" ? Buffer.byteLength(text) : text.length);

  const assemble = (tableRows: string[], detailBlocks: string[], note: string) =>
    `${[
      ...head,
      ...(tableRows.length > 0 ? [[...table.header, ...tableRows].join("\n")] : []),
      chart,
      detailBlocks.length > 0
        ? `<details><summary>Every metric (${detailBlocks.length} ${detailBlocks.length === 1 ? "entry" : "entries"})</summary>\n\n${detailBlocks.join("\n\n")}\n\n</details>`
        : "",
      note,
      footer,
    ]
      .filter((part) => part !== "")
      .join("\n\n")}\n`;

  let body = assemble(table.rows, details, "");
  if (size(body) <= maxLength) return body;

  const where = options.fullReportUrl
    ? `the [job summary](${options.fullReportUrl}) and the results artifact`
    : "the job summary and the results artifact";
  const limitText =
    options.lengthUnit === "bytes"
      ? `${formatCount(maxLength)}-byte limit`
      : `${formatCount(githubCommentLimit)}-character comment limit`;
  const note = (dropped: string) =>
    `> [!NOTE]\n> Report truncated to fit GitHub's ${limitText} (${dropped}). The full report is in ${where}.`;

  let keptDetails = details.length;
  while (keptDetails > 0) {
    keptDetails = Math.floor(keptDetails / 2);
    const blocks = keepTopNonEmpty(detailsByEntry, order, keptDetails);
    body = assemble(table.rows, blocks, note(`${details.length - blocks.length} detail sections left out`));
    if (size(body) <= maxLength) return body;
  }
  let keptRows = table.rows.length;
  while (keptRows > 0) {
    keptRows = Math.floor(keptRows * 0.8);
    const rows = keepTop(table.rows, keptRows);
    const keptIndexes = new Set(order.slice(0, keptRows));
    const omitted = comparison.entries.filter((_, index) => !keptIndexes.has(index));
    body = assemble(
      rows,
      [],
      note(
        `all detail sections and ${table.rows.length - keptRows} of ${table.rows.length} table rows left out, least important first: ${describeOmitted(omitted)}`,
      ),
    );
    if (size(body) <= maxLength) return body;
  }
  // Pathological: even the header is too long (absurd config names). Cut hard, keep the marker.
  const ending = `\n\n${note("cut")}\n`;
  return `${cutTo(body, maxLength - size(ending) - 16, size)}${ending}`;
}

/**
 * Entry indexes, most important first: regressions, warn-level regressions, improvements, then
 * added/removed/failed rows, then noise and unchanged; table order within a group.
 */
function importanceOrder(entries: ComparisonEntry[]): number[] {
  const rank = (row: ComparisonRow): number => {
    if (row.verdict === "regression") return row.level === "error" ? 0 : 1;
    if (row.verdict === "improvement") return 2;
    if (row.verdict === "added" || row.verdict === "removed" || row.verdict === "failed") return 3;
    return 4;
  };
  return entries
    .map((entry, index) => ({ index, rank: rank(entry.primary) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((item) => item.index);
}

/** The `count` most important non-empty detail blocks, in table order. */
function keepTopNonEmpty(blocks: string[], order: number[], count: number): string[] {
  const kept = new Set(order.filter((index) => blocks[index] !== "").slice(0, count));
  return blocks.filter((block, index) => block !== "" && kept.has(index));
}

/** "12 noise, 3 unchanged": what the omitted rows were, so a reader knows nothing important is hidden. */
function describeOmitted(entries: ComparisonEntry[]): string {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const label =
      entry.primary.verdict === "regression" && entry.primary.level === "warn"
        ? "warn-level regression"
        : entry.primary.verdict;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, count]) => `${formatCount(count)} ${label}`).join(", ");
}

/** The longest prefix of whole code points that fits the budget (never half a surrogate pair). */
function cutTo(text: string, budget: number, size: (text: string) => number): string {
  if (budget <= 0) return "";
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (size(text.slice(0, middle)) <= budget) low = middle;
    else high = middle - 1;
  }
  let end = low;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

function renderTitle(options: MarkdownReportOptions): string {
  return `### 📐 embedeval: ${escapeMarkdown(options.configName)}`;
}

function renderSummary(comparison: Comparison, options: MarkdownReportOptions): string {
  const counts = countVerdicts(comparison);
  const parts: string[] = [];
  const failed = counts.failed > 0 ? `💥 **${counts.failed} failed**` : "";
  if (comparison.baselineMissing) {
    parts.push(
      [
        failed,
        `**No baseline yet**: absolute scores for ${comparison.entries.length} model × task ${comparison.entries.length === 1 ? "pair" : "pairs"}; nothing can regress.`,
      ]
        .filter((part) => part !== "")
        .join(" · "),
    );
  } else {
    const regressions = comparison.regressions.length;
    const warnings = comparison.warnings.length;
    parts.push(
      [
        failed,
        regressions > 0 ? `❌ **${plural(regressions, "regression")}**` : "✅ **No regressions**",
        warnings > 0 ? `⚠️ ${plural(warnings, "warning")}` : "",
        `${plural(comparison.improvements.length, "improvement")}`,
        `${counts.noise} within noise`,
        `${counts.unchanged} unchanged`,
        counts.added > 0 ? `${counts.added} added` : "",
        counts.removed > 0 ? `${counts.removed} removed` : "",
        counts["dataset changed"] > 0
          ? `📦 ${counts["dataset changed"]} with a changed dataset (not gated)`
          : "",
      ]
        .filter((part) => part !== "")
        .join(" · "),
    );
  }
  const baseline = options.baseline;
  const lines = [parts.join("")];
  if (baseline?.commit && !comparison.baselineMissing) {
    const details = [
      baseline.source ? escapeMarkdown(baseline.source) : "",
      baseline.date ? `committed ${formatAge(baseline.date, options.now ?? new Date())} ago` : "",
    ].filter((part) => part !== "");
    lines.push(
      `Baseline: \`${shortSha(baseline.commit)}\`${details.length > 0 ? ` (${details.join(", ")})` : ""}`,
    );
  }
  const totals = usageTotals(comparison);
  if (totals) lines.push(totals);
  if (options.headCommit) lines.push(`Head: \`${shortSha(options.headCommit)}\``);
  return lines.join("  \n");
}

/** Why each failed (model, task) has no result: the evaluation's own message, escaped, on one line. */
function renderFailures(comparison: Comparison): string {
  const failed = comparison.entries.filter((entry) => entry.status === "failed");
  if (failed.length === 0) return "";
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const entry of failed) {
    const key = `${entry.model}\u0000${entry.task}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const message = (entry.primary.failure ?? "no result").replace(/\s+/g, " ").trim();
    const shown = message.length > 600 ? `${cutTo(message, 600, (text) => text.length)}…` : message;
    lines.push(
      `- 💥 **${escapeMarkdown(entry.model)} × ${escapeMarkdown(entry.task)}** failed: ${escapeMarkdown(shown)}`,
    );
  }
  return lines.join("\n");
}

function renderTable(comparison: Comparison): { header: string[]; rows: string[] } {
  const metrics = new Set(comparison.entries.map((entry) => entry.metric));
  const metricName = metrics.size === 1 ? metricLabel([...metrics][0] as string) : "Score";
  const header = [
    `| Model | Task | ${metricName} | Δ | 95% CI | p | Verdict | Latency p50 / p95 | Cost | Embedded (cached) |`,
    "|---|---|--:|--:|:-:|--:|---|--:|--:|--:|",
  ];
  const rows = comparison.entries.map((entry) => {
    const row = entry.primary;
    // Latency and cost of this run only: a removed or failed row has none (the base run's would mislead).
    const usage = entry.head?.embedeval?.usage;
    const task = entry.split === "test" ? entry.task : `${entry.task} (${entry.split})`;
    const score =
      metrics.size === 1
        ? formatScore(row.head ?? row.base)
        : `${metricLabel(row.metric)} ${formatScore(row.head ?? row.base)}`;
    return `| ${escapeMarkdown(entry.model)} | ${escapeMarkdown(task)} | ${escapeMarkdown(score)} | ${[arrow(row), formatDelta(row.delta)].filter((part) => part !== "").join("\u00a0")} | ${formatInterval(row.interval).replace(" ", "\u00a0")} | ${formatPValue(row.pValue)} | ${verdictLabel(row)} | ${formatLatency(usage?.latencyMs)} | ${formatCost(usage?.costUsd)} | ${formatUsageCount(usage)} |`;
  });
  return { header, rows };
}

function renderChart(comparison: Comparison): string {
  // Mermaid's xychart draws bars up from the axis minimum, so a bar of deltas would make -2 look like a
  // short positive bar. Plot scores instead: head as bars, baseline as a line, on a zoomed axis.
  // Capped at 20 categories: past that the labels overlap; the table has every row anyway.
  const entries = comparison.entries.filter((entry) => entry.primary.head !== null).slice(0, 20);
  if (entries.length === 0) return "";
  const metric = mermaidLabel(metricLabel(entries[0]?.metric ?? ""));
  const singleTask = new Set(entries.map((entry) => entry.task)).size === 1;
  const labels = entries.map(
    (entry) => `"${mermaidLabel(singleTask ? entry.model : `${entry.model} · ${entry.task}`, 24)}"`,
  );
  const head = entries.map((entry) => round((entry.primary.head as number) * 100));
  const withBase = entries.filter((entry) => entry.primary.base !== null);
  // A line needs a value per category: where there is no baseline (added rows) it repeats the head value.
  const base = entries.map((entry) => round(((entry.primary.base ?? entry.primary.head) as number) * 100));
  const all = withBase.length > 0 ? [...head, ...base] : head;
  const low = Math.max(0, Math.floor(Math.min(...all) - 2));
  const high = Math.min(100, Math.ceil(Math.max(...all) + 2));
  return [
    "```mermaid",
    "---",
    "config:",
    "  xyChart:",
    "    width: 900",
    "    height: 360",
    "    xAxis:",
    "      labelFontSize: 11",
    "---",
    "xychart-beta",
    withBase.length > 0
      ? `  title "${metric}: this PR (bars) vs baseline (line)"`
      : `  title "${metric} (points)"`,
    `  x-axis [${labels.join(", ")}]`,
    `  y-axis "${metric}" ${low} --> ${high}`,
    `  bar [${head.join(", ")}]`,
    ...(withBase.length > 0 ? [`  line [${base.join(", ")}]`] : []),
    "```",
  ].join("\n");
}

function renderEntryDetails(entry: ComparisonEntry): string {
  if (entry.rows.length === 0) return "";
  const usage = (entry.head ?? entry.base)?.embedeval?.usage;
  const title = `${entry.model} · ${entry.task} · ${entry.split}`;
  const lines = [
    `<details><summary>${escapeHtml(title)}</summary>`,
    "",
    "| Metric | Base | Head | Δ | 95% CI | p | Verdict |",
    "|---|--:|--:|--:|:-:|--:|---|",
    ...entry.rows.map(
      (row) =>
        `| ${escapeMarkdown(metricLabel(row.metric))}${row.gated ? " (gated)" : ""} | ${formatScore(row.base)} | ${formatScore(row.head)} | ${formatDelta(row.delta)} | ${formatInterval(row.interval)} | ${formatPValue(row.pValue)} | ${row.gated ? verdictLabel(row) : escapeMarkdown(row.verdict)} |`,
    ),
  ];
  if (usage) {
    lines.push(
      "",
      `Usage: ${formatCount(usage.textsEmbedded)} texts embedded, ${formatCount(usage.cacheHits)} cache hits, ${formatCount(usage.tokens)} tokens (${escapeMarkdown(usage.tokensSource)}), ${formatCount(usage.calls)} calls, ${formatCount(usage.retries)} retries, ${formatCount(usage.throttles)} throttles; cost ${formatCost(usage.costUsd)}; latency p50/p95 ${formatLatency(usage.latencyMs)}${usage.throughput ? `; ${formatCount(usage.throughput)} texts/s` : ""}. Paired queries: ${formatCount(entry.primary.pairedQueries)}.`,
    );
  }
  const change = entry.primary.datasetChange;
  if (change) {
    lines.push(
      "",
      `Dataset changed: the baseline scored revision ${escapeMarkdown(change.base)}, this run ${escapeMarkdown(change.head)}. Deltas are means over the ${formatCount(entry.primary.pairedQueries)} queries scored on both sides; the row is not gated.`,
    );
  }
  lines.push("", "</details>");
  return lines.join("\n");
}

function renderFooter(comparison: Comparison): string {
  const rule = comparison.rule;
  const drop =
    rule.maxDrop.kind === "absolute"
      ? `${formatDelta(-rule.maxDrop.amount).replace("-", "")} points`
      : `${(rule.maxDrop.amount * 100).toFixed(1)}%`;
  return `<sub>A regression is a drop in ${escapeMarkdown(metricLabel(rule.metric))} of more than ${drop} that is significant (paired permutation test, p < ${rule.significance}); 95% CI: paired bootstrap, ${formatCount(rule.resamples)} resamples, ${formatCount(comparison.permutations)} permutations, seed ${rule.seed}${rule.overrides.length > 0 ? `; ${plural(rule.overrides.length, "override")}` : ""}. Scores in points (×100).</sub>`;
}

/** "This run embedded 5,483 texts (1,420 more from the cache) for $0.052": what the PR cost. */
function usageTotals(comparison: Comparison): string | undefined {
  const usages = comparison.entries.flatMap((entry) =>
    entry.head?.embedeval?.usage ? [entry.head.embedeval.usage] : [],
  );
  if (usages.length === 0) return undefined;
  const embedded = usages.reduce((sum, usage) => sum + usage.textsEmbedded, 0);
  const cached = usages.reduce((sum, usage) => sum + usage.cacheHits, 0);
  const costs = usages.map((usage) => usage.costUsd).filter((cost): cost is number => cost !== null);
  const cost = costs.length > 0 ? ` for ${formatCost(costs.reduce((sum, value) => sum + value, 0))}` : "";
  return `This run embedded ${formatCount(embedded)} texts (${formatCount(cached)} more came from the cache)${cost}.`;
}

function verdictLabel(row: ComparisonRow): string {
  if (row.verdict === "dataset changed") {
    return `${verdictLabels[row.verdict]} (Δ on ${formatCount(row.pairedQueries)} paired ${row.pairedQueries === 1 ? "query" : "queries"})`;
  }
  if (row.verdict === "regression" && row.level === "warn") return "⚠️ regression (warn)";
  if (row.level === "off" && row.gated) return `${verdictLabels[row.verdict]} (off)`;
  return verdictLabels[row.verdict];
}

function arrow(row: ComparisonRow): string {
  if (row.delta === null) return "";
  if (Math.abs(row.delta) < 0.00005) return "";
  return row.delta > 0 ? "▲" : "▼";
}

function formatUsageCount(usage: UsageSummary | undefined): string {
  if (!usage) return "—";
  return `${formatCount(usage.textsEmbedded)} (${formatCount(usage.cacheHits)})`;
}

function countVerdicts(comparison: Comparison): Record<Verdict, number> {
  const counts: Record<Verdict, number> = {
    regression: 0,
    improvement: 0,
    noise: 0,
    unchanged: 0,
    added: 0,
    removed: 0,
    failed: 0,
    "dataset changed": 0,
  };
  for (const entry of comparison.entries) counts[entry.primary.verdict]++;
  return counts;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function shortSha(sha: string): string {
  // A SHA is hex; anything else is dropped rather than escaped, since it sits in a code span.
  return sha.replace(/[^0-9a-fA-F]/g, "").slice(0, 7);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
