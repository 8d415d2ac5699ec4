import { DatasetError } from "@embedeval/provider-contract";
import { downloadHubTaskFiles } from "../datasets/hub-task-files.js";
import { readTaskRows, type TaskRow } from "../datasets/task-rows.js";
import type { MtebTypedTask } from "./mteb-typed-tasks.js";
import { type LocalTaskType, type TypedDataset, typedDatasetFromRows } from "./typed-task-folder.js";

const localType: Record<MtebTypedTask["type"], LocalTaskType | undefined> = {
  Reranking: "reranking",
  STS: "sts",
  PairClassification: "pair-classification",
  Summarization: "summarization",
  BitextMining: "bitext-mining",
  Classification: "classification",
  Clustering: "clustering",
  MultilabelClassification: "multilabel-classification",
};

/**
 * Whether a registered MTEB task loads from the hub by name: those whose split files hold the rows as
 * MTEB uses them, after at most a column rename, a flattening of cluster sets, or a filter on the `lang`
 * column. Not yet: reranking (corpus/queries/top_ranked configs), and the tasks whose preparation draws a
 * subsample (ToxicConversations, StackExchange*, ArXivHierarchical*).
 */
export function loadsFromHub(task: MtebTypedTask): boolean {
  if (task.type === "Reranking" || task.testSubsample !== undefined) return false;
  return !/stratified|singleton|2048-row/.test(task.layout);
}

export function localTaskTypeOf(task: MtebTypedTask): LocalTaskType {
  return localType[task.type] as LocalTaskType;
}

/** A registered MTEB task read from the hub at its pinned revision (or `revision`), for one split. */
export async function loadMtebTypedTask(
  task: MtebTypedTask,
  options: {
    split: string;
    revision?: string;
    environment?: Record<string, string | undefined>;
    signal?: AbortSignal;
    onProgress?: (line: string) => void;
  },
): Promise<TypedDataset> {
  if (!loadsFromHub(task)) {
    throw new DatasetError(`${task.name} does not load from the hub by name yet (${task.layout}).`, {
      hint: "Download its data, write it in the local layout of docs/task-types.md and give the task a `path`.",
    });
  }
  const type = localTaskTypeOf(task) as Exclude<LocalTaskType, "reranking">;
  const byLanguage = task.layout.includes("split by lang");
  const splits = type === "classification" ? ["train", options.split] : [options.split];
  const { commit, files } = await downloadHubTaskFiles({
    repository: task.repository,
    revision: options.revision ?? task.revision,
    splits,
    ...(byLanguage ? {} : { subset: task.subset }),
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const read = async (split: string) => {
    const rows: TaskRow[] = [];
    const hashes: string[] = [];
    const paths = files.get(split) ?? [];
    for (const path of paths) {
      const part = await readTaskRows(path, {
        expandListRow: type !== "summarization",
        ...(options.signal ? { signal: options.signal } : {}),
      });
      rows.push(...part.rows);
      hashes.push(part.contentHash);
    }
    // Multilingual files in one config: MTEB keeps the subset's rows, in file order.
    const kept = byLanguage ? rows.filter((row) => row.value.lang === task.subset) : rows;
    return { rows: kept, file: paths.join(", "), contentHash: hashes.join(":") };
  };
  const evaluated = await read(options.split);
  const train = type === "classification" ? await read("train") : undefined;
  const typed = typedDatasetFromRows(
    type,
    evaluated,
    {
      name: task.name,
      split: options.split,
      hubRevision: commit,
      contentHash: evaluated.contentHash,
      warnings: [],
      hfSubset: task.subset,
      languages: ["eng-Latn"],
    },
    train,
  );
  if (typed.type === "classification" && task.samplesPerLabel !== undefined) {
    typed.dataset.samplesPerLabel = task.samplesPerLabel;
  }
  return typed;
}
