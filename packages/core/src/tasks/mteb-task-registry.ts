/**
 * MTEB retrieval tasks a config can name without `path` or `hub` (`- name: SciFact`), and the benchmarks
 * a config can name whole (`- benchmark: NanoBEIR`). The data is in mteb-retrieval-tasks.ts, copied from
 * MTEB's task metadata. `ignoreIdenticalIds` matters: MTEB drops query-id == doc-id hits only for the
 * tasks that set it (ArguAna, FiQA2018, Quora, MSMARCO, FEVER...), so BEIR's "always drop" default would
 * change scores.
 */
import { closestMatch } from "@embedeval/provider-contract";
import {
  type MtebBenchmark,
  type MtebRetrievalTask,
  mtebBenchmarkList,
  mtebRetrievalTaskList,
} from "./mteb-retrieval-tasks.js";

export type { MtebBenchmark, MtebRetrievalTask };

export const mtebRetrievalTasks: readonly MtebRetrievalTask[] = mtebRetrievalTaskList;
export const mtebBenchmarks: readonly MtebBenchmark[] = mtebBenchmarkList;

/** Every name a config may use for an MTEB task: the task names, then their aliases. */
export function mtebTaskNames(): string[] {
  return [
    ...mtebRetrievalTasks.map((entry) => entry.name),
    ...mtebRetrievalTasks.flatMap((entry) => entry.aliases),
  ];
}

/** The task a config name refers to (exact name or alias), or undefined. */
export function findMtebTask(name: string): MtebRetrievalTask | undefined {
  return mtebRetrievalTasks.find((entry) => entry.name === name || entry.aliases.includes(name));
}

/** The registered name closest to a misspelt one (`Scifact` -> `SciFact`), for "did you mean". */
export function suggestMtebTask(name: string): string | undefined {
  return closestMatch(name, mtebTaskNames());
}

/** The benchmark a name refers to (`MTEB(eng, v2)`, its alias `MTEB(eng)`, `NanoBEIR`), or undefined. */
export function findMtebBenchmark(name: string): MtebBenchmark | undefined {
  return mtebBenchmarks.find((entry) => entry.name === name || entry.aliases.includes(name));
}

/** Every benchmark name a config may use. */
export function mtebBenchmarkNames(): string[] {
  return mtebBenchmarks.flatMap((entry) => [entry.name, ...entry.aliases]);
}

/** A benchmark's retrieval tasks, in its order. */
export function mtebBenchmarkTasks(benchmark: MtebBenchmark): MtebRetrievalTask[] {
  return benchmark.tasks.map((name) => findMtebTask(name) as MtebRetrievalTask);
}

/** The benchmarks a task belongs to, by name. */
export function mtebBenchmarksOf(task: MtebRetrievalTask): string[] {
  return mtebBenchmarks
    .filter((benchmark) => benchmark.tasks.includes(task.name))
    .map((benchmark) => benchmark.name);
}
