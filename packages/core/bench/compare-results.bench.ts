/**
 * Comparison cost: paired bootstrap (2,000 resamples) and sign-flip permutation test (10,000 flips) for every
 * metric of every (model, task). The work is metrics x (resamples + permutations) x queries per pair, so this
 * shows what a PR comment costs for SciFact-sized tasks (300 queries) and for a large dev set (7,000, MS MARCO
 * dev's size), all metrics versus the gated metric only (CompareOptions.metrics = "gated").
 * There is no external reference: no other PR-comment tool computes significance.
 *
 * Run: pnpm bench compare-results
 */
import { compareResults } from "../src/compare/compare-results.js";
import { buildTaskResult, noisyScores } from "../src/testing/task-result-builder.js";

const rule = {
  metric: "ndcg_at_10",
  maxDrop: { kind: "absolute" as const, amount: 0.01 },
  significance: 0.05,
  resamples: 2000,
  seed: 42,
  overrides: [],
};
const metricNames = Array.from({ length: 41 }, (_, index) => `metric_${index}`);

function results(models: number, tasks: number, queries: number, shift: number) {
  const list = [];
  for (let model = 0; model < models; model++) {
    for (let task = 0; task < tasks; task++) {
      const ndcg = noisyScores(queries, 0.6, 0.3, model * 31 + task).map((value) => value + shift);
      list.push(
        buildTaskResult({
          model: `model-${model}`,
          task: `Task-${task}`,
          ndcg,
          derive: (value, index) =>
            Object.fromEntries(metricNames.map((name, position) => [name, (value * (position + index)) % 1])),
        }),
      );
    }
  }
  return list;
}

const cases = [
  { name: "3 models x 2 tasks x 300 queries", models: 3, tasks: 2, queries: 300 },
  { name: "10 models x 5 tasks x 300 queries", models: 10, tasks: 5, queries: 300 },
  { name: "2 models x 1 task x 7,000 queries", models: 2, tasks: 1, queries: 7000 },
];
console.log("case                                   metrics   rows  seconds  rows/s   peak RSS");
for (const benchCase of cases) {
  const base = results(benchCase.models, benchCase.tasks, benchCase.queries, 0);
  const head = results(benchCase.models, benchCase.tasks, benchCase.queries, -0.002);
  for (const metrics of ["all", "gated"] as const) {
    const start = process.hrtime.bigint();
    const comparison = compareResults(base, head, rule, { metrics });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rows = comparison.entries.reduce((sum, entry) => sum + entry.rows.length, 0);
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      `${benchCase.name.padEnd(38)} ${metrics.padEnd(7)} ${String(rows).padStart(6)} ${seconds.toFixed(2).padStart(8)} ${(rows / seconds).toFixed(0).padStart(7)} ${rss.toFixed(0).padStart(7)} MB`,
    );
  }
}
