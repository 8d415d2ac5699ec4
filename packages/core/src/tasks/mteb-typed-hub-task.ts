import { DatasetError } from "@embedeval/provider-contract";
import { downloadHubDataset, loadHubDataset } from "../datasets/hub-dataset-download.js";
import { downloadHubTaskFiles, downloadHubTopRankedFiles } from "../datasets/hub-task-files.js";
import { readTaskRows, type TaskRow } from "../datasets/task-rows.js";
import type { ClusteringDataset } from "./clustering/clustering-task.js";
import type { MtebPreparation, MtebTypedTask } from "./mteb-typed-tasks.js";
import { randomTestIndices, stratifiedTestIndices } from "./shared/hub-train-test-split.js";
import { type LocalTaskType, type TypedDataset, typedDatasetFromRows } from "./typed-task-folder.js";

const localType: Record<MtebTypedTask["type"], LocalTaskType> = {
  Reranking: "reranking",
  STS: "sts",
  PairClassification: "pair-classification",
  Summarization: "summarization",
  BitextMining: "bitext-mining",
  Classification: "classification",
  MultilabelClassification: "multilabel-classification",
  Clustering: "clustering",
};

/**
 * Whether a registered MTEB task loads from the hub by name: every registered task does, its split
 * files read at the pinned revision and prepared as its `dataset_transform` prepares them (a column
 * rename, a flattening of cluster sets, a filter on the `lang` column, a drawn subsample).
 */
export function loadsFromHub(task: MtebTypedTask): boolean {
  return localType[task.type] !== undefined;
}

export function localTaskTypeOf(task: MtebTypedTask): LocalTaskType {
  return localType[task.type];
}

interface LoadOptions {
  split: string;
  revision?: string;
  environment?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/** A registered MTEB task read from the hub at its pinned revision (or `revision`), for one split. */
export async function loadMtebTypedTask(task: MtebTypedTask, options: LoadOptions): Promise<TypedDataset> {
  const type = localTaskTypeOf(task);
  if (type === "reranking") return loadRerankingTask(task, options);
  const byLanguage = task.layout.includes("split by lang");
  const needsTrain = type === "classification" || type === "multilabel-classification";
  const splits = needsTrain ? ["train", options.split] : [options.split];
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
        expandListRow: type !== "summarization" && type !== "multilabel-classification",
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
  const train = needsTrain ? await read("train") : undefined;
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
  if (task.preparation) prepare(typed, task.preparation, task.name);
  return typed;
}

/**
 * The task's own `dataset_transform`, after the rows are read (cluster sets already flattened, in file
 * order): MTEB's draws, reproduced with numpy's and `datasets`' algorithms (hub-train-test-split.ts).
 */
function prepare(typed: TypedDataset, preparation: MtebPreparation, name: string): void {
  if (typed.type === "classification" && preparation.kind === "stratified-subsample") {
    const { dataset } = typed;
    const kept = stratifiedTestIndices(
      dataset.test.map((row) => row.label),
      preparation.size,
    );
    dataset.test = kept.map((index) => dataset.test[index] as (typeof dataset.test)[number]);
    return;
  }
  if (typed.type === "clustering") {
    const { dataset } = typed;
    dataset.rows = prepareClustering(dataset.rows, preparation);
    if (preparation.kind === "stratified-subsample" && preparation.embedAll) dataset.embedAll = true;
    return;
  }
  throw new DatasetError(`${name}: no ${preparation.kind} preparation for ${typed.type} tasks.`, {
    hint: "This is a registry error in mteb-typed-tasks.ts; report it.",
  });
}

function prepareClustering(
  rows: ClusteringDataset["rows"],
  preparation: MtebPreparation,
): ClusteringDataset["rows"] {
  const labelOf = (row: ClusteringDataset["rows"][number]) => String(row.label);
  switch (preparation.kind) {
    case "stratified-subsample":
      return stratifiedTestIndices(rows.map(labelOf), preparation.size).map(
        (index) => rows[index] as ClusteringDataset["rows"][number],
      );
    case "drop-singleton-labels": {
      // MTEB pops the one row of each label counted once (np.unique(..., return_counts=True)).
      const counts = new Map<string, number>();
      for (const row of rows) counts.set(labelOf(row), (counts.get(labelOf(row)) ?? 0) + 1);
      return rows.filter((row) => counts.get(labelOf(row)) !== 1);
    }
    case "hierarchical-random-subsample": {
      // split_labels: "cs.AI" -> ["cs", "AI"], one label per hierarchy level; then 2,048 random rows.
      const split = rows.map((row) => ({
        sentence: row.sentence,
        label: String(row.label).split(preparation.separator),
      }));
      return randomTestIndices(split.length, preparation.size).map(
        (index) => split[index] as ClusteringDataset["rows"][number],
      );
    }
  }
}

/**
 * A reranking task as MTEB's RetrievalDatasetLoader reads it: corpus, queries and qrels (`default`)
 * through the retrieval hub download (card configs, verified files, the huggingface_hub cache), and the
 * `top_ranked` config's candidate lists.
 */
async function loadRerankingTask(task: MtebTypedTask, options: LoadOptions): Promise<TypedDataset> {
  const common = {
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const downloaded = await downloadHubDataset({
    repository: task.repository,
    revision: options.revision ?? task.revision,
    splits: [options.split],
    ...common,
  });
  const retrieval = await loadHubDataset({
    dataset: downloaded,
    split: options.split,
    name: task.name,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const files = await downloadHubTopRankedFiles({
    repository: task.repository,
    revision: downloaded.commit,
    split: options.split,
    ...common,
  });
  const candidates = new Map<string, string[]>();
  const hashes: string[] = [];
  for (const file of files) {
    const { rows, contentHash } = await readTaskRows(file, options.signal ? { signal: options.signal } : {});
    hashes.push(contentHash);
    for (const row of rows) {
      const query = row.value["query-id"];
      const documents = row.value["corpus-ids"];
      if ((typeof query !== "string" && typeof query !== "number") || !Array.isArray(documents)) {
        throw new DatasetError(`A top_ranked row lacks "query-id" or its "corpus-ids" list.`, {
          file,
          line: row.lineNumber,
          hint: 'Each row is {"query-id": ..., "corpus-ids": [...]}; check the dataset and revision.',
        });
      }
      candidates.set(String(query), documents.map(String));
    }
  }
  return {
    type: "reranking",
    dataset: {
      ...retrieval,
      contentHash: `${retrieval.contentHash}:${hashes.join(":")}`,
      candidates,
      ...(task.maxOverSubqueries ? { maxOverSubqueries: true } : {}),
    },
  };
}
