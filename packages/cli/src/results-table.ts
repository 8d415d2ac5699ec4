import type { TaskResult } from "@embedeval/core";

/** Columns people compare when choosing a model: quality first, then what it costs to get it. */
const qualityColumns = [
  ["nDCG@10", "ndcg_at_10"],
  ["MAP@10", "map_at_10"],
  ["MRR@10", "mrr_at_10"],
  ["Recall@100", "recall_at_100"],
] as const;

export function renderResultsTable(results: TaskResult[]): string {
  const header = [
    "model",
    "task",
    ...qualityColumns.map(([label]) => label),
    "embedded",
    "cached",
    "p50/p95 ms",
    "cost",
    "time",
  ];
  const rows: string[][] = [];
  for (const result of results) {
    for (const [split, entries] of Object.entries(result.scores)) {
      const scores = entries[0];
      if (!scores) continue;
      const usage = result.embedeval.usage;
      const splitSuffix = Object.keys(result.scores).length > 1 ? `/${split}` : "";
      rows.push([
        result.embedeval.model.id,
        `${result.task_name}${splitSuffix}`,
        ...qualityColumns.map(([, metric]) => {
          const value = scores[metric];
          return typeof value === "number" ? (value * 100).toFixed(2) : "-";
        }),
        usage.textsEmbedded.toLocaleString("en-US"),
        usage.cacheHits.toLocaleString("en-US"),
        usage.latencyMs ? `${usage.latencyMs.p50.toFixed(0)}/${usage.latencyMs.p95.toFixed(0)}` : "-",
        usage.costUsd === null ? "-" : `$${usage.costUsd.toFixed(usage.costUsd < 0.01 ? 4 : 2)}`,
        `${result.evaluation_time.toFixed(1)} s`,
      ]);
    }
  }
  // Numbers align right, names left, so columns of scores can be read down at a glance.
  const numeric = header.map((_, column) => column >= 2);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "─".repeat(width)).join("  ");
  return [format(header), rule, ...rows.map(format)].join("\n");
}
