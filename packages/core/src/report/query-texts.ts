import { formatError } from "@embedeval/provider-contract";
import { documentText, loadBeirFolder } from "../datasets/beir-folder-loader.js";
import type { Qrels } from "../trec/qrels.js";

/** What a task needs to have its texts read: a local BEIR folder. */
export interface QueryTextSource {
  name: string;
  /** A local BEIR folder; tasks without one (hub datasets) are skipped: a report downloads nothing. */
  path?: string | undefined;
  splits: string[];
}

/** How much of a document the per-query view shows. */
export const documentExcerptLength = 200;

/** What the HTML report's per-query view can show from the datasets beyond the result files. */
export interface DatasetTexts {
  /** task -> query id -> text. */
  queryTexts?: Map<string, Map<string, string>>;
  /** task -> document id -> the first 200 characters of `(title + " " + text).strip()`. */
  documentTexts?: Map<string, Map<string, string>>;
  /** task -> split -> judgments, to mark the relevant documents. */
  qrels?: Map<string, Map<string, Qrels>>;
}

/**
 * The query texts of the tasks' local datasets (task -> query id -> text), for the HTML report's per-query
 * view: result files keep every query's scores but not its text. A folder that cannot be read is skipped
 * with a note (the report then shows the query ids only).
 */
export async function readQueryTexts(
  tasks: QueryTextSource[],
  note: (line: string) => void,
): Promise<Map<string, Map<string, string>> | undefined> {
  return (await readDatasetTexts(tasks, note)).queryTexts;
}

/**
 * The query texts, each split's judgments and the texts of the wanted documents (task -> document ids;
 * only those, cut to 200 characters, so a large corpus costs the report little) of the tasks' local
 * datasets. A folder that cannot be read is skipped with a note.
 */
export async function readDatasetTexts(
  tasks: QueryTextSource[],
  note: (line: string) => void,
  wantedDocuments?: Map<string, Set<string>>,
): Promise<DatasetTexts> {
  const queryTexts = new Map<string, Map<string, string>>();
  const documentTexts = new Map<string, Map<string, string>>();
  const qrels = new Map<string, Map<string, Qrels>>();
  for (const task of tasks) {
    if (!task.path) continue;
    const splits = task.splits.length > 0 ? task.splits : ["test"];
    try {
      for (const [index, split] of splits.entries()) {
        const dataset = await loadBeirFolder({ folder: task.path, split, name: task.name });
        qrels.set(task.name, (qrels.get(task.name) ?? new Map()).set(split, dataset.qrels));
        if (index > 0) continue;
        // The corpus and queries files are the same for every split: read their texts once.
        queryTexts.set(task.name, new Map(dataset.queries.map((query) => [query.id, query.text])));
        const wanted = wantedDocuments?.get(task.name);
        if (wanted && wanted.size > 0) {
          documentTexts.set(
            task.name,
            new Map(
              dataset.corpus
                .filter((document) => wanted.has(document.id))
                .map((document) => [document.id, documentExcerpt(documentText(document))]),
            ),
          );
        }
      }
    } catch (error) {
      note(`report: no texts for ${task.name} (${formatError(error).replace(/\s+/g, " ")})`);
    }
  }
  return {
    ...(queryTexts.size > 0 ? { queryTexts } : {}),
    ...(documentTexts.size > 0 ? { documentTexts } : {}),
    ...(qrels.size > 0 ? { qrels } : {}),
  };
}

/** The first 200 characters (whole code points), with an ellipsis when cut. */
export function documentExcerpt(text: string): string {
  const characters = [...text];
  return characters.length <= documentExcerptLength
    ? text
    : `${characters.slice(0, documentExcerptLength).join("").trimEnd()}…`;
}
