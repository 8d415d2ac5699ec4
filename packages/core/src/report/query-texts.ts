import { formatError } from "@embedeval/provider-contract";
import { loadBeirFolder } from "../datasets/beir-folder-loader.js";

/** What a task needs to have its query texts read: a local BEIR folder. */
export interface QueryTextSource {
  name: string;
  /** A local BEIR folder; tasks without one (hub datasets) are skipped: a report downloads nothing. */
  path?: string | undefined;
  splits: string[];
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
  const texts = new Map<string, Map<string, string>>();
  for (const task of tasks) {
    if (!task.path) continue;
    try {
      const dataset = await loadBeirFolder({
        folder: task.path,
        split: task.splits[0] ?? "test",
        name: task.name,
      });
      texts.set(task.name, new Map(dataset.queries.map((query) => [query.id, query.text])));
    } catch (error) {
      note(`report: no query texts for ${task.name} (${formatError(error).replace(/\s+/g, " ")})`);
    }
  }
  return texts.size > 0 ? texts : undefined;
}
