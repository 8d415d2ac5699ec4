import type { MtebTaskType } from "./shared/task-type.js";

export interface BenchmarkTaskScore {
  task: string;
  type: MtebTaskType;
  /** The task's main score on its evaluated split and subset. */
  mainScore: number;
}

export interface BenchmarkAggregates {
  /** MTEB's "Mean (Task)": the plain mean of the tasks' main scores. */
  meanOverTasks: number;
  /** MTEB's "Mean (TaskType)": the mean over task types of each type's mean. */
  meanOverTaskTypes: number;
  /** Each type's mean main score, in the order the types first appear. */
  perTaskType: Record<string, { mean: number; tasks: number }>;
  tasks: number;
  /** Benchmark tasks without a score: the means are then partial (MTEB leaves them empty). */
  missing: string[];
}

/**
 * A benchmark's aggregates as MTEB's leaderboard computes them from the main scores: the mean over
 * tasks, and the mean over task types of the per-type means (so the ten retrieval tasks weigh as much as
 * the one summarization task). `expected` lists the benchmark's task names, to report what is missing.
 */
export function benchmarkAggregates(
  scores: readonly BenchmarkTaskScore[],
  expected: readonly string[] = [],
): BenchmarkAggregates {
  const perType = new Map<string, number[]>();
  for (const score of scores) {
    const list = perType.get(score.type) ?? [];
    list.push(score.mainScore);
    perType.set(score.type, list);
  }
  const mean = (values: readonly number[]): number =>
    values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  const perTaskType: BenchmarkAggregates["perTaskType"] = {};
  for (const [type, values] of perType) perTaskType[type] = { mean: mean(values), tasks: values.length };
  const scored = new Set(scores.map((score) => score.task));
  return {
    meanOverTasks: mean(scores.map((score) => score.mainScore)),
    meanOverTaskTypes: mean(Object.values(perTaskType).map((entry) => entry.mean)),
    perTaskType,
    tasks: scores.length,
    missing: expected.filter((task) => !scored.has(task)),
  };
}

/**
 * The aggregates of an MTEB benchmark over the results at hand (one main score per task: the first
 * split's first subset), or undefined when fewer than two of its tasks were run. `taskNames` and
 * `typeOf` come from the registries (mteb-task-registry.ts, mteb-typed-tasks.ts).
 */
export function aggregatesOver(
  taskNames: readonly string[],
  results: readonly BenchmarkTaskScore[],
): BenchmarkAggregates | undefined {
  const members = new Set(taskNames);
  const seen = new Set<string>();
  const scores = results.filter((score) => {
    if (!members.has(score.task) || seen.has(score.task)) return false;
    seen.add(score.task);
    return true;
  });
  return scores.length < 2 ? undefined : benchmarkAggregates(scores, taskNames);
}
