import type { Comparison, ComparisonEntry } from "../compare/comparison.js";
import { readTaskPredictions, type TaskPredictions } from "../results/task-predictions.js";
import type { TaskResult } from "../results/task-result.js";
import { taskResultPath } from "../results/task-result-files.js";
import { type QueryChange, queryChanges } from "./html-report-data.js";

/** Predictions of a results folder by (model, task): see predictionsKey. */
export type PredictionsByEntry = Map<string, TaskPredictions>;

export function predictionsKey(model: string, task: string): string {
  return JSON.stringify([model, task]);
}

/**
 * The predictions files (each query's top 10, written by `embedeval run` and `merge`) beside the result
 * files of a folder. Results without one (retrieval files written before embedeval wrote them, other
 * task types) are left out: the report then shows the scores without the documents.
 */
export async function readResultPredictions(
  directory: string,
  results: readonly TaskResult[],
): Promise<PredictionsByEntry> {
  const predictions: PredictionsByEntry = new Map();
  for (const result of results) {
    const found = await readTaskPredictions(taskResultPath(directory, result), result);
    if (found) predictions.set(predictionsKey(result.embedeval.model.id, result.task_name), found);
  }
  return predictions;
}

/** The queries the per-query view lists for an entry: those that got worse, worst first, `limit` of them. */
export function worsenedQueries(entry: ComparisonEntry, limit: number): QueryChange[] {
  return queryChanges(entry)
    .filter((change) => change.delta < 0)
    .slice(0, limit);
}

/**
 * The documents the per-query view shows, per task (the top 10 before and after of each listed query):
 * the only documents whose texts the report reads.
 */
export function documentsShown(
  comparison: Comparison,
  predictions: { base?: PredictionsByEntry; head?: PredictionsByEntry },
  limit: number,
): Map<string, Set<string>> {
  const shown = new Map<string, Set<string>>();
  for (const entry of comparison.entries) {
    const key = predictionsKey(entry.model, entry.task);
    const sides = [predictions.base?.get(key), predictions.head?.get(key)];
    for (const change of worsenedQueries(entry, limit)) {
      for (const side of sides) {
        for (const document of side?.get(entry.split)?.get(change.queryId) ?? []) {
          shown.set(entry.task, (shown.get(entry.task) ?? new Set()).add(document.id));
        }
      }
    }
  }
  return shown;
}
