import {
  formatTaskPredictions,
  type PredictionsByEntry,
  parseTaskPredictions,
  predictionsKey,
  readTaskPredictions,
  type TaskResult,
  taskResultPath,
} from "@embedeval/core";

/**
 * Each query's top 10 documents of a recorded run, stored on the results branch beside its results
 * (`<commit sha>/<config slug>.predictions.json`) so that a pull request's HTML report can show what the
 * baseline retrieved for the queries that got worse. A file of its own rather than a field of the results
 * file: finding the baseline reads results files of several commits, the predictions of the found one only.
 */
export interface RecordedPredictions {
  schema: 1;
  commit: string;
  configName: string;
  /** Per (model, task) with a predictions file: that file's content (MTEB 2.20's format), top 10 per query. */
  entries: { model: string; task: string; predictions: unknown }[];
}

/**
 * The predictions files beside the result files of a folder, in the stored form; results without one
 * (other task types, files from before embedeval wrote them) are left out. MTEB's own files (1000 per
 * query) are cut to the top 10 on the way, as the report would read them.
 */
export async function collectPredictions(
  directory: string,
  results: readonly TaskResult[],
): Promise<RecordedPredictions["entries"]> {
  const entries: RecordedPredictions["entries"] = [];
  for (const result of results) {
    const predictions = await readTaskPredictions(taskResultPath(directory, result), result);
    if (!predictions || predictions.size === 0) continue;
    entries.push({
      model: result.embedeval.model.id,
      task: result.task_name,
      predictions: JSON.parse(formatTaskPredictions(result, predictions)),
    });
  }
  return entries;
}

/** A stored predictions file's text as the report reads predictions: by predictionsKey(model, task). */
export function parseRecordedPredictions(text: string): PredictionsByEntry {
  const record = JSON.parse(text) as Partial<RecordedPredictions>;
  const byEntry: PredictionsByEntry = new Map();
  for (const entry of Array.isArray(record.entries) ? record.entries : []) {
    const predictions = parseTaskPredictions(entry.predictions);
    if (predictions) byEntry.set(predictionsKey(entry.model, entry.task), predictions);
  }
  return byEntry;
}
