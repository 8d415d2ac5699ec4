import type { Comparison, ComparisonEntry, ComparisonRow, Verdict } from "../compare/comparison.js";
import { entryTaskType, taskTypeRank } from "./benchmark-summary.js";
import { renderBenchmarkTable } from "./markdown-benchmark-table.js";
import { renderDeltaChart } from "./markdown-delta-chart.js";
import { commentMarker, escapeMarkdown } from "./markdown-escape.js";
import {
  renderDatasetChanges,
  renderFamilyTable,
  renderMainTable,
  renderOtherMetrics,
  renderRunDetails,
} from "./markdown-metric-tables.js";
import { formatAge, formatCount, formatDelta, metricLabel } from "./report-format.js";

/** GitHub rejects issue comments longer than this many characters. */
export const githubCommentLimit = 65_536;

/**
 * Everything below this line changes from run to run without the scores changing (latency, cost, cache
 * hits): the sticky comment compares only what is above it, so a rerun does not edit the comment.
 */
export const runDetailsMarker = "<!-- embedeval:run-details -->";

/** The part of a comment body that decides whether it needs an edit (everything above the run details). */
export function comparableCommentBody(body: string): string {
  const at = body.indexOf(runDetailsMarker);
  return at === -1 ? body : body.slice(0, at);
}

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
  /** The repository's page (`https://github.com/owner/repo`): commits become links. */
  repositoryUrl?: string;
  /** The workflow run's page: linked as "run", and from the truncation note. */
  fullReportUrl?: string;
  /** The HTML report's artifact name (on the run page), linked from the header. */
  htmlReportArtifact?: string;
  /** Sentences about the gate itself (rules changed by the pull request, config renamed); plain text. */
  notes?: string[];
  /** Budget; defaults to a little under GitHub's 65,536-character comment limit. */
  maxLength?: number;
  /**
   * What maxLength counts: UTF-16 characters (GitHub's comment limit) or UTF-8 bytes (the job summary's
   * 1 MiB limit: the report's emoji and arrows take 3-4 bytes each, so characters undercount by ~10%).
   */
  lengthUnit?: "characters" | "bytes";
  /** "Now", for the baseline's age (tests pass a fixed date). */
  now?: Date;
  /** Include the delta chart (default true). */
  chart?: boolean;
}

/**
 * The pull request comment (also the job summary). Its first visible line names what regressed (model,
 * task, delta); then the counts, the commits and links; the gated metric per (model, task) with the verdict
 * next to the model; a delta chart with intervals; the gated metric's family at every cutoff; every other
 * metric behind one fold; and, below the run-details marker, what changes on every run (latency, cost).
 * Every string from config or data is escaped. Longer than the budget, it drops the fold, the family
 * table, the chart, then table rows, least important first (noise and unchanged before added/removed/
 * failed, improvements, warnings, regressions), says how many of which were left out, and where the full
 * report is.
 */
export function renderMarkdownReport(comparison: Comparison, options: MarkdownReportOptions): string {
  const maxLength = options.maxLength ?? githubCommentLimit - 536;
  const head = [
    commentMarker(options.configName),
    renderTitle(comparison, options),
    renderSummary(comparison, options),
    renderNotes(options.notes ?? []),
    renderFailures(comparison),
  ].filter((part) => part !== "");
  const table = renderMainTable(comparison);
  const benchmark = renderBenchmarkTable(comparison);
  const order = importanceOrder(comparison.entries);
  const all = comparison.entries.map((_, index) => index);
  const chart = options.chart === false ? "" : renderDeltaChart(comparison, order);
  const family = renderFamilyTable(comparison, all);
  const datasetChanges = renderDatasetChanges(comparison);
  const footer = renderFooter(comparison);
  const runDetails = renderRunDetails(comparison);
  const size = (text: string) => (options.lengthUnit === "bytes" ? Buffer.byteLength(text) : text.length);

  interface Parts {
    rows: string[];
    chart: string;
    family: string;
    other: string;
    runDetails: string;
    note: string;
  }
  const assemble = (parts: Parts) =>
    `${[
      ...head,
      ...(parts.rows.length > 0 ? [[...table.header, ...parts.rows].join("\n")] : []),
      benchmark,
      parts.chart,
      datasetChanges,
      parts.family,
      parts.other,
      parts.note,
      footer,
      parts.runDetails ? `${runDetailsMarker}\n${parts.runDetails}` : "",
    ]
      .filter((part) => part !== "")
      .join("\n\n")}\n`;

  const other = renderOtherMetrics(comparison, all);
  // Rows grouped by task type (Retrieval first, MTEB's order), config order within a type.
  const display = [...all].sort(
    (a, b) =>
      taskTypeRank(entryTaskType(comparison.entries[a] as ComparisonEntry)) -
        taskTypeRank(entryTaskType(comparison.entries[b] as ComparisonEntry)) || a - b,
  );
  const full: Parts = {
    rows: display.map((index) => table.rows[index] as string),
    chart,
    family,
    other,
    runDetails,
    note: "",
  };
  let body = assemble(full);
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

  // The fold first, for the least important entries, then all of it.
  const withOther = order.filter((index) => renderOtherMetrics(comparison, [index]) !== "");
  let kept = withOther.length;
  while (kept > 0) {
    kept = Math.floor(kept / 2);
    const indexes = withOther.slice(0, kept).sort((a, b) => a - b);
    body = assemble({
      ...full,
      other: renderOtherMetrics(comparison, indexes),
      note: note(`other metrics of ${withOther.length - kept} of ${withOther.length} entries left out`),
    });
    if (size(body) <= maxLength) return body;
  }
  const lean: Parts = { ...full, other: "", family: "", chart: "", runDetails: "" };
  body = assemble({ ...lean, note: note("all detail sections left out") });
  if (size(body) <= maxLength) return body;
  let keptRows = table.rows.length;
  while (keptRows > 0) {
    keptRows = Math.floor(keptRows * 0.8);
    const keptIndexes = new Set(order.slice(0, keptRows));
    const rows = display
      .filter((index) => keptIndexes.has(index))
      .map((index) => table.rows[index] as string);
    const omitted = comparison.entries.filter((_, index) => !keptIndexes.has(index));
    body = assemble({
      ...lean,
      rows,
      note: note(
        `all detail sections and ${table.rows.length - keptRows} of ${table.rows.length} table rows left out, least important first: ${describeOmitted(omitted)}`,
      ),
    });
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

/** The first visible line: what regressed (model, task, metric, delta), or that nothing did. */
function renderTitle(comparison: Comparison, options: MarkdownReportOptions): string {
  const config = `embedeval: ${escapeMarkdown(options.configName)}`;
  const name = (row: ComparisonRow) =>
    `${escapeMarkdown(row.model)} × ${escapeMarkdown(row.split === "test" ? row.task : `${row.task} (${row.split})`)}`;
  const more = (count: number, word: string) =>
    count > 1 ? ` and ${plural(count - 1, `more ${word}`)}` : "";
  const first = comparison.regressions[0];
  if (first) {
    return `### ❌ ${name(first)}: ${escapeMarkdown(metricLabel(first.metric))} ${formatDelta(first.delta)} points${more(comparison.regressions.length, "regression")} · ${config}`;
  }
  const failed = comparison.failures.find((row) => row.level === "error") ?? comparison.failures[0];
  if (failed) {
    return `### 💥 ${name(failed)} failed to evaluate${more(comparison.failures.length, "failure")} · ${config}`;
  }
  const warned = comparison.warnings[0];
  if (warned) {
    return `### ⚠️ ${name(warned)}: ${escapeMarkdown(metricLabel(warned.metric))} ${formatDelta(warned.delta)} points (warn level) · ${config}`;
  }
  if (comparison.baselineMissing) return `### 📐 No baseline yet · ${config}`;
  return `### ✅ No regressions · ${config}`;
}

function renderSummary(comparison: Comparison, options: MarkdownReportOptions): string {
  const counts = countVerdicts(comparison);
  const failed = counts.failed > 0 ? `💥 **${counts.failed} failed**` : "";
  let counted: string;
  if (comparison.baselineMissing) {
    counted = [
      failed,
      `**No baseline yet**: absolute scores for ${comparison.entries.length} model × task ${comparison.entries.length === 1 ? "pair" : "pairs"}; nothing can regress.`,
    ]
      .filter((part) => part !== "")
      .join(" · ");
  } else {
    const regressions = comparison.regressions.length;
    const warnings = comparison.warnings.length;
    counted = [
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
      .join(" · ");
  }
  const lines = [counted];
  const commits: string[] = [];
  if (options.headCommit) commits.push(`Head: ${commitLink(options.headCommit, options.repositoryUrl)}`);
  const baseline = options.baseline;
  if (baseline?.commit && !comparison.baselineMissing) {
    const details = [
      baseline.source ? escapeMarkdown(baseline.source) : "",
      baseline.date ? `committed ${formatAge(baseline.date, options.now ?? new Date())} ago` : "",
    ].filter((part) => part !== "");
    commits.push(
      `Baseline: ${commitLink(baseline.commit, options.repositoryUrl)}${details.length > 0 ? ` (${details.join(", ")})` : ""}`,
    );
  }
  if (commits.length > 0) lines.push(commits.join(" · "));
  const links: string[] = [];
  if (options.fullReportUrl) links.push(`[Workflow run](${safeUrl(options.fullReportUrl)})`);
  if (options.htmlReportArtifact) {
    const artifact = `HTML report: artifact \`${options.htmlReportArtifact.replace(/[`\s]/g, "")}\``;
    links.push(
      options.fullReportUrl ? `[${artifact}](${safeUrl(options.fullReportUrl)}#artifacts)` : artifact,
    );
  }
  if (links.length > 0) lines.push(links.join(" · "));
  return lines.join("  \n");
}

/** Notes about the gate itself (rules the pull request changes), as a callout GitHub renders in colour. */
function renderNotes(notes: string[]): string {
  if (notes.length === 0) return "";
  const paragraphs = notes.flatMap((note, index) => [
    ...(index > 0 ? [">"] : []),
    `> ${escapeMarkdown(note)}`,
  ]);
  return ["> [!IMPORTANT]", ...paragraphs].join("\n");
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

function renderFooter(comparison: Comparison): string {
  const rule = comparison.rule;
  const drop =
    rule.maxDrop.kind === "absolute"
      ? `${formatDelta(-rule.maxDrop.amount).replace("-", "")} points`
      : `${(rule.maxDrop.amount * 100).toFixed(1)}%`;
  return `<sub>A regression is a drop in ${escapeMarkdown(metricLabel(rule.metric))} of more than ${drop} that is significant (paired permutation test, p < ${rule.significance}); 95% CI: paired bootstrap, ${formatCount(rule.resamples)} resamples, ${formatCount(comparison.permutations)} permutations, seed ${rule.seed}${rule.overrides.length > 0 ? `; ${plural(rule.overrides.length, "override")}` : ""}. Scores in points (×100).</sub>`;
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

/** `abc1234` as a code span, linked to the commit page when the repository is known. */
function commitLink(sha: string, repositoryUrl: string | undefined): string {
  // A SHA is hex; anything else is dropped rather than escaped, since it sits in a code span and a URL.
  const hex = sha.replace(/[^0-9a-fA-F]/g, "");
  const code = `\`${hex.slice(0, 7)}\``;
  return repositoryUrl ? `[${code}](${safeUrl(repositoryUrl)}/commit/${hex})` : code;
}

/** A URL the action built (server URL, repository, run id): only characters a link destination keeps. */
function safeUrl(url: string): string {
  return /^https?:\/\//.test(url) ? url.replace(/[^A-Za-z0-9._~:/?#@!$&'*+,;=%-]/g, "") : "";
}
