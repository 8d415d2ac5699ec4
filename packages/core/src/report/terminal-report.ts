import type { Comparison, ComparisonRow, Verdict } from "../compare/comparison.js";
import {
  formatCost,
  formatDelta,
  formatInterval,
  formatLatency,
  formatPValue,
  formatScore,
  metricLabel,
} from "./report-format.js";

export interface TerminalReportOptions {
  /** ANSI colours; pass true only when the stream is a TTY (and NO_COLOR is unset). */
  color: boolean;
  /** Also print every non-gated metric under each entry. */
  allMetrics?: boolean;
}

const colors = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** An aligned plain-text table of a comparison for the CLI; colours only when asked. */
export function renderTerminalReport(comparison: Comparison, options: TerminalReportOptions): string {
  const paint = (text: string, color: keyof typeof colors) =>
    options.color ? `\u001b[${colors[color]}m${text}\u001b[0m` : text;
  const header = [
    "model",
    "task",
    "split",
    "metric",
    "base",
    "head",
    "delta",
    "95% CI",
    "p",
    "verdict",
    "p50/p95",
    "cost",
  ];
  const lines: { cells: string[]; color?: keyof typeof colors }[] = [];
  for (const entry of comparison.entries) {
    const rows = options.allMetrics ? entry.rows : entry.rows.filter((row) => row.gated);
    for (const row of rows) {
      const usage = (entry.head ?? entry.base)?.embedeval?.usage;
      lines.push({
        cells: [
          plain(entry.model),
          plain(entry.task),
          plain(entry.split),
          plain(metricLabel(row.metric)),
          formatScore(row.base),
          formatScore(row.head),
          formatDelta(row.delta),
          formatInterval(row.interval),
          formatPValue(row.pValue),
          verdictText(row),
          formatLatency(usage?.latencyMs),
          formatCost(usage?.costUsd),
        ],
        color: verdictColor(row.verdict, row),
      });
    }
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line.cells[column] as string).length)),
  );
  const numeric = new Set([4, 5, 6, 8]);
  const format = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  const output = [paint(format(header), "bold")];
  for (const line of lines) {
    const text = format(line.cells);
    output.push(line.color ? paint(text, line.color) : text);
  }
  const summary = comparison.baselineMissing
    ? "No baseline: absolute scores only."
    : `${comparison.regressions.length} regression(s), ${comparison.warnings.length} warning(s), ${comparison.improvements.length} improvement(s).`;
  output.push("", comparison.regressed ? paint(summary, "red") : summary);
  return `${output.join("\n")}\n`;
}

function verdictText(row: ComparisonRow): string {
  if (row.verdict === "regression" && row.level === "warn") return "regression (warn)";
  if (row.gated && row.level === "off") return `${row.verdict} (off)`;
  return row.verdict;
}

function verdictColor(verdict: Verdict, row: ComparisonRow): keyof typeof colors | undefined {
  if (verdict === "regression") return row.level === "error" ? "red" : "yellow";
  if (verdict === "improvement") return "green";
  if (verdict === "noise" || verdict === "unchanged") return "dim";
  return undefined;
}

/** Control characters from data must not move the cursor or recolour the terminal. */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}
