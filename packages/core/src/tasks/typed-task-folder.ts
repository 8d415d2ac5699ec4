import { access } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { loadBeirFolder } from "../datasets/beir-folder-loader.js";
import { readTaskRows, type TaskRow } from "../datasets/task-rows.js";
import type { BitextMiningDataset } from "./bitext-mining/bitext-mining-task.js";
import type { ClassificationDataset } from "./classification/classification-task.js";
import type { ClusteringDataset } from "./clustering/clustering-task.js";
import type { MultilabelClassificationDataset } from "./multilabel-classification/multilabel-classification-task.js";
import type { PairClassificationDataset } from "./pair-classification/pair-classification-task.js";
import type { RerankingDataset } from "./reranking/reranking-task.js";
import type { TaskDatasetIdentity } from "./shared/run-task.js";
import type { StsDataset } from "./sts/sts-task.js";
import type { SummarizationDataset } from "./summarization/summarization-task.js";

/** The task types a config's `type` can name, besides retrieval. */
export const localTaskTypes = [
  "sts",
  "pair-classification",
  "summarization",
  "bitext-mining",
  "classification",
  "multilabel-classification",
  "clustering",
  "reranking",
] as const;
export type LocalTaskType = (typeof localTaskTypes)[number];

export type TypedDataset =
  | { type: "sts"; dataset: StsDataset }
  | { type: "pair-classification"; dataset: PairClassificationDataset }
  | { type: "summarization"; dataset: SummarizationDataset }
  | { type: "bitext-mining"; dataset: BitextMiningDataset }
  | { type: "classification"; dataset: ClassificationDataset }
  | { type: "multilabel-classification"; dataset: MultilabelClassificationDataset }
  | { type: "clustering"; dataset: ClusteringDataset }
  | { type: "reranking"; dataset: RerankingDataset };

const extensions = [".jsonl", ".jsonl.gz", ".parquet", ".json", ".json.gz"];

/** `<folder>/<name>.jsonl` (or .jsonl.gz, .parquet, .json, .json.gz): the first that exists. */
async function splitFile(folder: string, name: string): Promise<string> {
  for (const extension of extensions) {
    const file = join(folder, `${name}${extension}`);
    try {
      await access(file);
      return file;
    } catch {
      // try the next layout
    }
  }
  throw new DatasetError(`No file for split \`${name}\` in ${folder}.`, {
    file: join(folder, `${name}.jsonl`),
    hint: `Write the split as ${name}.jsonl (one JSON object per line); \`embedeval init --task-type <type>\` writes an example.`,
  });
}

function column<T>(
  row: TaskRow,
  file: string,
  names: readonly string[],
  check: (value: unknown) => value is T,
  expected: string,
): T {
  for (const name of names) {
    const value = row.value[name];
    if (value !== undefined) {
      if (check(value)) return value;
      throw new DatasetError(`Column \`${name}\` is not ${expected}.`, {
        file,
        line: row.lineNumber,
        hint: `Write \`${name}\` as ${expected}.`,
      });
    }
  }
  throw new DatasetError(`Missing column \`${names[0]}\`.`, {
    file,
    line: row.lineNumber,
    hint: `Each row needs ${names.map((name) => `\`${name}\``).join(" or ")} (${expected}).`,
  });
}

const isString = (value: unknown): value is string => typeof value === "string";
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
/** The two sentence columns of STS, pair classification and bitext mining rows, under their accepted names. */
function sentencePair(
  row: TaskRow,
  file: string,
  names1: string[] = ["sentence1"],
  names2: string[] = ["sentence2"],
): { sentence1: string; sentence2: string } {
  return {
    sentence1: column(row, file, names1, isString, "a string"),
    sentence2: column(row, file, names2, isString, "a string"),
  };
}
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isNumbers = (value: unknown): value is number[] => Array.isArray(value) && value.every(isNumber);
const isLabel = (value: unknown): value is string | number | (string | number)[] =>
  isString(value) ||
  isNumber(value) ||
  (Array.isArray(value) && value.every((item) => isString(item) || isNumber(item)));

/**
 * A task of another type than retrieval from a local folder, in the documented layout (docs/task-types.md):
 * `<split>.jsonl` with the type's columns, plus `train.jsonl` for (multilabel) classification; reranking is a BEIR
 * folder with `top_ranked.jsonl` ({"query-id", "corpus-ids"}). Rows keep file order, which decides
 * classification's and clustering's draws as it does in MTEB.
 */
export async function loadTypedTaskFolder(options: {
  type: LocalTaskType;
  folder: string;
  split: string;
  name: string;
  signal?: AbortSignal;
}): Promise<TypedDataset> {
  const { type, folder, split, name } = options;
  const signal = options.signal ? { signal: options.signal } : {};
  if (type === "reranking") {
    const retrieval = await loadBeirFolder({ folder, split, name, ...signal });
    const file = await splitFile(folder, "top_ranked");
    const { rows } = await readTaskRows(file, signal);
    const candidates = new Map(
      rows.map((row) => [
        column(
          row,
          file,
          ["query-id", "query_id"],
          (value): value is string | number => isString(value) || isNumber(value),
          "a query id",
        ).toString(),
        column(
          row,
          file,
          ["corpus-ids", "corpus_ids"],
          (value): value is (string | number)[] => Array.isArray(value),
          "a list of document ids",
        ).map(String),
      ]),
    );
    return { type, dataset: { ...retrieval, candidates } };
  }
  const file = await splitFile(folder, split);
  const { rows, contentHash } = await readTaskRows(file, {
    ...signal,
    // Summarization and multilabel rows hold lists of their own: never a split stored as one row of lists.
    expandListRow: type !== "summarization" && type !== "multilabel-classification",
  });
  const identity: TaskDatasetIdentity = { name, split, contentHash, warnings: [] };
  let train: { rows: TaskRow[]; file: string; contentHash: string } | undefined;
  if (type === "classification" || type === "multilabel-classification") {
    const trainFile = await splitFile(folder, "train");
    train = { ...(await readTaskRows(trainFile, signal)), file: trainFile };
  }
  return typedDatasetFromRows(type, { rows, file }, identity, train);
}

/**
 * A typed dataset from rows already read (a local file or hub files): each type's columns checked row by
 * row (errors name the file and row), classification's train rows given apart.
 */
export function typedDatasetFromRows(
  type: Exclude<LocalTaskType, "reranking">,
  source: { rows: TaskRow[]; file: string },
  identity: TaskDatasetIdentity,
  train?: { rows: TaskRow[]; file: string; contentHash: string },
): TypedDataset {
  const { rows, file } = source;
  switch (type) {
    case "sts":
      return {
        type,
        dataset: {
          ...identity,
          rows: rows.map((row) => ({
            ...sentencePair(row, file),
            score: column(row, file, ["score"], isNumber, "a number"),
          })),
        },
      };
    case "pair-classification":
      return {
        type,
        dataset: {
          ...identity,
          rows: rows.map((row) => ({
            ...sentencePair(row, file, ["sentence1", "sent1"], ["sentence2", "sent2"]),
            label: column(
              row,
              file,
              ["label", "labels"],
              (value): value is number => value === 0 || value === 1,
              "0 or 1",
            ),
          })),
        },
      };
    case "bitext-mining":
      return {
        type,
        dataset: {
          ...identity,
          rows: rows.map((row) => sentencePair(row, file)),
        },
      };
    case "summarization":
      return {
        type,
        dataset: {
          ...identity,
          rows: rows.map((row) => ({
            humanSummaries: column(row, file, ["human_summaries"], isStrings, "a list of strings"),
            machineSummaries: column(row, file, ["machine_summaries"], isStrings, "a list of strings"),
            relevance: column(
              row,
              file,
              ["relevance"],
              isNumbers,
              "a list of numbers, one per machine summary",
            ),
          })),
        },
      };
    case "classification": {
      if (!train)
        throw new DatasetError(`${identity.name}: classification needs a train split.`, {
          hint: "Add train.jsonl beside the evaluated split.",
        });
      const labelled = (list: TaskRow[], source: string) =>
        list.map((row) => ({
          text: column(row, source, ["text"], isString, "a string"),
          label: column(
            row,
            source,
            ["label"],
            (value): value is number => Number.isInteger(value),
            "an integer class",
          ),
        }));
      return {
        type,
        dataset: {
          ...identity,
          contentHash: `${train.contentHash}:${identity.contentHash}`,
          train: labelled(train.rows, train.file),
          test: labelled(rows, file),
        },
      };
    }
    case "multilabel-classification": {
      if (!train)
        throw new DatasetError(`${identity.name}: multilabel classification needs a train split.`, {
          hint: "Add train.jsonl beside the evaluated split.",
        });
      const labelled = (list: TaskRow[], source: string) =>
        list.map((row) => ({
          text: column(row, source, ["text"], isString, "a string"),
          labels: column(
            row,
            source,
            ["label", "labels"],
            (value): value is (string | number)[] =>
              Array.isArray(value) && value.every((item) => isString(item) || isNumber(item)),
            "a list of labels (strings or numbers; [] for none)",
          ),
        }));
      return {
        type,
        dataset: {
          ...identity,
          contentHash: `${train.contentHash}:${identity.contentHash}`,
          train: labelled(train.rows, train.file),
          test: labelled(rows, file),
        },
      };
    }
    case "clustering":
      return {
        type,
        dataset: {
          ...identity,
          // A row holding lists is a cluster set (MTEB's v1 layout): flattened into one row per document.
          rows: rows.flatMap((row) => {
            const sentences = column(
              row,
              file,
              ["sentences", "sentence", "text"],
              (value): value is string | string[] => isString(value) || isStrings(value),
              "a string",
            );
            const labels = column(
              row,
              file,
              ["labels", "label"],
              isLabel,
              "a label or a list of labels (one per level)",
            );
            if (Array.isArray(sentences)) {
              return sentences.map((sentence, index) => ({
                sentence,
                label: Array.isArray(labels) ? (labels[index] as string | number) : labels,
              }));
            }
            return [{ sentence: sentences, label: labels }];
          }),
        },
      };
  }
}
