import {
  aggregatesOver,
  findMtebBenchmark,
  formatCount,
  type MtebTaskType,
  mainRetrievalMetric,
  metricLabel,
  mtebTypedTaskList,
  mtebTypedTasksBenchmark,
  type TaskResult,
} from "@embedeval/core";

/**
 * Columns people compare when choosing a model, per MTEB task type: quality first (the main score leads),
 * then what it costs. Results without a task type are retrieval files.
 */
const qualityColumnsByType: Record<string, readonly string[]> = {
  Retrieval: [mainRetrievalMetric, "map_at_10", "mrr_at_10", "recall_at_100"],
  Reranking: ["map_at_1000", "mrr_at_10", "ndcg_at_10"],
  STS: ["cosine_spearman", "cosine_pearson", "spearman"],
  PairClassification: ["max_ap", "max_f1", "max_accuracy"],
  Summarization: ["cosine_spearman", "cosine_pearson"],
  BitextMining: ["f1", "accuracy"],
  Classification: ["accuracy", "f1", "f1_weighted"],
  MultilabelClassification: ["accuracy", "lrap", "f1", "hamming"],
  Clustering: ["v_measure", "ami"],
};

function taskTypeOf(result: TaskResult): string {
  return result.embedeval.task_type ?? "Retrieval";
}

/**
 * One table per MTEB task type present (Retrieval first, then MTEB's order), each with its type's
 * columns; a heading names the type when there is more than one.
 */
export function renderResultsTable(results: TaskResult[]): string {
  const types = [...new Set(results.map(taskTypeOf))].sort((a, b) => typeRank(a) - typeRank(b));
  const tables =
    types.length <= 1
      ? renderTypeTable(results, types[0] ?? "Retrieval")
      : types
          .map(
            (type) =>
              `${type}\n${renderTypeTable(
                results.filter((result) => taskTypeOf(result) === type),
                type,
              )}`,
          )
          .join("\n\n");
  const aggregates = renderBenchmarkAggregates(results);
  return aggregates ? `${tables}\n\n${aggregates}` : tables;
}

/**
 * MTEB(eng, v2)'s aggregates per model, as MTEB's leaderboard computes them (mean over tasks, mean over
 * task types), when a model ran at least two of its tasks; a partial run says how many tasks it covers.
 */
function renderBenchmarkAggregates(results: TaskResult[]): string {
  const benchmark = findMtebBenchmark(mtebTypedTasksBenchmark);
  if (!benchmark) return "";
  const names = [...benchmark.tasks, ...mtebTypedTaskList.map((task) => task.name)];
  const lines: string[] = [];
  for (const model of [...new Set(results.map((result) => result.embedeval.model.id))]) {
    const scores = results
      .filter((result) => result.embedeval.model.id === model)
      .flatMap((result) => {
        const score = Object.values(result.scores)[0]?.[0]?.main_score;
        const type = taskTypeOf(result) as MtebTaskType;
        return typeof score === "number" ? [{ task: result.task_name, type, mainScore: score }] : [];
      });
    const aggregates = aggregatesOver(names, scores);
    if (!aggregates) continue;
    lines.push(
      `  ${model}: mean (task) ${(aggregates.meanOverTasks * 100).toFixed(2)}, mean (task type) ${(aggregates.meanOverTaskTypes * 100).toFixed(2)}, over ${aggregates.tasks} of its ${names.length} tasks`,
    );
  }
  return lines.length === 0 ? "" : [benchmark.name, ...lines].join("\n");
}

function typeRank(type: string): number {
  const index = Object.keys(qualityColumnsByType).indexOf(type);
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

function renderTypeTable(results: TaskResult[], type: string): string {
  const main = results[0]?.embedeval.main_metric;
  const metrics = qualityColumnsByType[type] ?? (main ? [main] : []);
  const qualityColumns = metrics.map((metric) => [metricLabel(metric), metric] as const);
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
      const splits = Object.keys(result.scores);
      const splitSuffix = splits.length > 1 ? `/${split}` : "";
      // Usage is the task's (all splits together): shown once, on its first split's row.
      const showUsage = split === splits[0];
      rows.push([
        result.embedeval.model.id,
        `${result.task_name}${splitSuffix}`,
        ...qualityColumns.map(([, metric]) => {
          const value = scores[metric];
          return typeof value === "number" ? (value * 100).toFixed(2) : "-";
        }),
        ...(showUsage
          ? [
              formatCount(usage.textsEmbedded),
              formatCount(usage.cacheHits),
              usage.latencyMs ? `${usage.latencyMs.p50.toFixed(0)}/${usage.latencyMs.p95.toFixed(0)}` : "-",
              usage.costUsd === null ? "-" : `$${usage.costUsd.toFixed(usage.costUsd < 0.01 ? 4 : 2)}`,
              `${result.evaluation_time.toFixed(1)} s`,
            ]
          : ["", "", "", "", ""]),
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

/**
 * Each task's main score per model as horizontal bars (nDCG@10 for retrieval, the type's own for the
 * others), one block per task: which model wins, and by how much, at a glance. Eighth-block characters
 * give the bars a resolution of 1/8 of a cell.
 */
export function renderScoreBars(results: TaskResult[], width = 40): string {
  const byTask = new Map<string, { model: string; score: number }[]>();
  const metricOf = new Map<string, string>();
  for (const result of results) {
    for (const [split, entries] of Object.entries(result.scores)) {
      const score = entries[0]?.main_score;
      if (typeof score !== "number") continue;
      const task = Object.keys(result.scores).length > 1 ? `${result.task_name}/${split}` : result.task_name;
      const rows = byTask.get(task) ?? [];
      rows.push({ model: result.embedeval.model.id, score });
      byTask.set(task, rows);
      metricOf.set(task, metricLabel(result.embedeval.main_metric ?? mainRetrievalMetric));
    }
  }
  const eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
  const blocks: string[] = [];
  for (const [task, rows] of byTask) {
    rows.sort((a, b) => b.score - a.score);
    const nameWidth = Math.max(...rows.map((row) => row.model.length));
    const lines = rows.map((row) => {
      const cells = Math.max(0, Math.min(1, row.score)) * width;
      const bar = "█".repeat(Math.floor(cells)) + (eighths[Math.round((cells % 1) * 8) % 8] ?? "");
      return `  ${row.model.padEnd(nameWidth)}  ${bar.padEnd(width)}  ${(row.score * 100).toFixed(2)}`;
    });
    blocks.push([`${task}: ${metricOf.get(task)} (0 to 100)`, ...lines].join("\n"));
  }
  return blocks.join("\n\n");
}
