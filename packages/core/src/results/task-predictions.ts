/**
 * Each query's top documents, saved beside the result file the way MTEB saves predictions, so a report can
 * show what a model retrieved before and after a change (result files keep per-query scores, not rankings).
 *
 * MTEB's convention (MTEB 2.20, mteb/abstasks/abstask.py `_save_task_predictions` and
 * `prediction_file_name`; embeddings-benchmark/mteb at a905523d): one file `<TaskName>_predictions.json`
 * per task, written with `json.dump` (no indent), holding
 * `{"mteb_model_meta": {"model_name": ..., "revision": ...}, "<hf_subset>": {"<split>": {query id:
 * {document id: score}}}}`, the retrieval evaluator's output (`RetrievalOutputType`). MTEB 1.x wrote one
 * file per subset instead (`<TaskName>_<subset>_predictions.json`, mteb/abstasks/AbsTaskRetrieval.py);
 * embedeval follows 2.20 like the rest of its result format, so MTEB's `convert_to_reranking` reads the
 * file as a previous stage's ranking.
 *
 * Two differences, both to keep files small: embedeval keeps the top 10 of each query (MTEB keeps its
 * retrieval depth, 1000), and a task with `ignoreIdenticalIds` has the query's own id removed first, so
 * the file lists the documents that were scored. Documents are written in rank order (trec_eval's: score
 * descending, ties by document id descending); readers sort by score again, as MTEB does.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compareDocumentIds } from "../trec/document-id-order.js";
import type { RankedDocument, Run } from "../trec/run.js";
import { SearchRun } from "../trec/search-run.js";
import { folderSegment } from "./mteb-model-meta.js";
import type { TaskResult } from "./task-result.js";

/** How many documents per query the predictions file keeps. */
export const predictionsDepth = 10;

/** split -> query id -> top documents, best first. */
export type TaskPredictions = Map<string, Map<string, RankedDocument[]>>;

/** trec_eval's order: score descending, ties by document id descending (byte order). */
function trecEvalOrder(left: RankedDocument, right: RankedDocument): number {
  return right.score - left.score || compareDocumentIds(right.id, left.id);
}

/** Each query's top `depth` documents of a ranking, in trec_eval's order, queries in id order. */
export function topDocuments(
  run: Run,
  options: { ignoreIdenticalIds: boolean; depth?: number },
): Map<string, RankedDocument[]> {
  const depth = options.depth ?? predictionsDepth;
  const top = new Map<string, RankedDocument[]>();
  for (const queryId of [...run.keys()].sort(compareDocumentIds)) {
    if (run instanceof SearchRun) {
      // Read from the columns: the head of a search's row is its top, and no list is built.
      const head = run.head(queryId, depth, options.ignoreIdenticalIds ? queryId : undefined);
      top.set(queryId, head ?? []);
      continue;
    }
    const documents = (run.get(queryId) ?? []).filter(
      (document) => !options.ignoreIdenticalIds || document.id !== queryId,
    );
    top.set(
      queryId,
      [...documents]
        .sort(trecEvalOrder)
        .slice(0, depth)
        .map((document) => ({ id: document.id, score: document.score })),
    );
  }
  return top;
}

/** `<output>/<model folder>/<revision>/<Task>_predictions.json`, beside the task's result file. */
export function taskPredictionsPath(resultPath: string, result: Pick<TaskResult, "task_name">): string {
  return join(dirname(resultPath), `${folderSegment(result.task_name)}_predictions.json`);
}

/**
 * The file's text, as Python's json.dump writes it (`", "` and `": "` separators, no indent). Written by
 * hand rather than with JSON.stringify of an object, whose keys JavaScript reorders when they look like
 * integers (query "12" before "3", document "7" before "abc"): the file keeps rank order.
 */
export function formatTaskPredictions(result: TaskResult, predictions: TaskPredictions): string {
  const model = result.embedeval.model;
  const meta = `{"model_name": ${JSON.stringify(model.name ?? model.id)}, "revision": ${JSON.stringify(model.revision)}}`;
  const bySubset = new Map<string, string[]>();
  for (const [split, queries] of predictions) {
    const subset = result.scores[split]?.[0]?.hf_subset ?? "default";
    const queryTexts = [...queries].map(
      ([queryId, documents]) =>
        `${JSON.stringify(queryId)}: {${documents.map((document) => `${JSON.stringify(document.id)}: ${JSON.stringify(document.score)}`).join(", ")}}`,
    );
    bySubset.set(subset, [
      ...(bySubset.get(subset) ?? []),
      `${JSON.stringify(split)}: {${queryTexts.join(", ")}}`,
    ]);
  }
  const subsets = [...bySubset].map(
    ([subset, splits]) => `${JSON.stringify(subset)}: {${splits.join(", ")}}`,
  );
  return `{${[`"mteb_model_meta": ${meta}`, ...subsets].join(", ")}}\n`;
}

/** Writes the predictions file beside a result file, atomically (temp file, then rename). */
export async function writeTaskPredictions(
  resultPath: string,
  result: TaskResult,
  predictions: TaskPredictions,
): Promise<string> {
  const path = taskPredictionsPath(resultPath, result);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, formatTaskPredictions(result, predictions));
  await rename(temporary, path);
  return path;
}

/**
 * Reads the predictions file beside a result file (ours, or MTEB's with its 1000 per query: cut to the
 * top 10 here), splits of every subset together; undefined when there is none or it cannot be read.
 */
export async function readTaskPredictions(
  resultPath: string,
  result: Pick<TaskResult, "task_name">,
): Promise<TaskPredictions | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(taskPredictionsPath(resultPath, result), "utf8"));
  } catch {
    return undefined;
  }
  return parseTaskPredictions(parsed);
}

/**
 * A predictions file's parsed JSON (read from disk, or stored elsewhere such as the action's results
 * branch) as each query's top 10, splits of every subset together; undefined when it is not an object.
 */
export function parseTaskPredictions(parsed: unknown): TaskPredictions | undefined {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const predictions: TaskPredictions = new Map();
  for (const [subset, splits] of Object.entries(parsed)) {
    if (subset === "mteb_model_meta" || typeof splits !== "object" || splits === null) continue;
    for (const [split, queries] of Object.entries(splits as Record<string, unknown>)) {
      if (typeof queries !== "object" || queries === null) continue;
      const run = new Map<string, RankedDocument[]>();
      for (const [queryId, documents] of Object.entries(queries as Record<string, unknown>)) {
        if (typeof documents !== "object" || documents === null) continue;
        run.set(
          queryId,
          Object.entries(documents as Record<string, unknown>)
            .filter((entry): entry is [string, number] => typeof entry[1] === "number")
            .map(([id, score]) => ({ id, score })),
        );
      }
      predictions.set(split, topDocuments(run, { ignoreIdenticalIds: false }));
    }
  }
  return predictions;
}
