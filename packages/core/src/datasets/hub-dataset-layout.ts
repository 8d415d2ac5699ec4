/**
 * Which files of a hub dataset hold the corpus, the queries and each split's qrels, decided from the file
 * list alone (before any large download). In order:
 *
 * 1. The dataset card's `configs:` naming `corpus`, `queries` and `qrels` (or `default`, MTEB's name for
 *    the qrels) configs, as MTEB's loader asks `datasets` for them.
 * 2. BEIR files: corpus.jsonl, queries.jsonl and qrels/<split>.{tsv,jsonl}, each maybe gzipped.
 * 3. Folders `corpus/`, `queries/`, `qrels/` (or `default/`) of parquet or JSON lines files, the split
 *    named by the file (`qrels/test-00000-of-00001.parquet`, NanoBEIR and MTEB 2 uploads) or by a
 *    folder (`default/test/0000.parquet`, the hub's `refs/convert/parquet` branch).
 */
import { DatasetError } from "@embedeval/provider-contract";
import { type DatasetCardConfig, globMatcher } from "./hub-dataset-card.js";

export interface HubSplitFiles {
  split: string;
  corpus: string[];
  queries: string[];
  qrels: string[];
}

const readable = /\.(jsonl|jsonl\.gz|parquet)$/;
const readableQrels = /\.(tsv|tsv\.gz|jsonl|jsonl\.gz|parquet)$/;

/** The files of each requested split; a DatasetError naming what exists when a split is missing. */
export function chooseHubLayout(
  files: readonly string[],
  configs: readonly DatasetCardConfig[],
  splits: readonly string[],
  describe: string,
): HubSplitFiles[] {
  return (
    fromCardConfigs(files, configs, splits, describe) ??
    fromBeirFiles(files, splits, describe) ??
    fromFolders(files, splits, describe) ??
    noLayout(files, describe)
  );
}

function fromCardConfigs(
  files: readonly string[],
  configs: readonly DatasetCardConfig[],
  splits: readonly string[],
  describe: string,
): HubSplitFiles[] | undefined {
  const byName = new Map(configs.map((config) => [config.name, config]));
  const corpus = byName.get("corpus");
  const queries = byName.get("queries");
  const qrels = byName.get("qrels") ?? byName.get("default");
  if (!corpus || !queries || !qrels) return undefined;
  return splits.map((split) => {
    const qrelsPatterns = qrels.splits.get(split);
    if (!qrelsPatterns) {
      throw missingSplit(
        split,
        [...qrels.splits.keys()],
        `${describe}: the card's "${qrels.name}" config (the qrels)`,
      );
    }
    return {
      split,
      corpus: expand(files, pickSplit(corpus, split), `${describe}: config "corpus"`),
      queries: expand(files, pickSplit(queries, split), `${describe}: config "queries"`),
      qrels: expand(files, qrelsPatterns, `${describe}: config "${qrels.name}", split "${split}"`),
    };
  });
}

/** A corpus or queries config usually has one split ("corpus", "train"...); else the evaluated one. */
function pickSplit(config: DatasetCardConfig, split: string): string[] {
  if (config.splits.size === 1) return [...config.splits.values()][0] as string[];
  const chosen = config.splits.get(split);
  if (chosen) return chosen;
  throw missingSplit(split, [...config.splits.keys()], `the card's "${config.name}" config`);
}

function expand(files: readonly string[], patterns: readonly string[], describe: string): string[] {
  const matched = new Set<string>();
  for (const pattern of patterns) {
    const matches = globMatcher(pattern.replace(/^\.?\//, ""));
    for (const file of files) if (matches(file)) matched.add(file);
  }
  const chosen = [...matched].sort();
  if (chosen.length === 0) {
    throw new DatasetError(
      `${describe} names ${patterns.join(", ")}, but the repository holds no such file.`,
      {
        hint: `Files present: ${preview(files)}.`,
      },
    );
  }
  const unreadable = chosen.filter((file) => !readableQrels.test(file));
  if (unreadable.length > 0) {
    throw new DatasetError(`${describe}: cannot read ${unreadable.join(", ")}.`, {
      hint: "Readable formats: JSON lines (.jsonl, .jsonl.gz), parquet, and TSV for qrels. Convert the files, or point `revision:` at refs/convert/parquet.",
    });
  }
  return chosen;
}

function fromBeirFiles(
  files: readonly string[],
  splits: readonly string[],
  describe: string,
): HubSplitFiles[] | undefined {
  const present = new Set(files);
  const first = (candidates: string[]) => candidates.find((candidate) => present.has(candidate));
  const corpus = first(["corpus.jsonl", "corpus.jsonl.gz", "corpus.parquet"]);
  const queries = first(["queries.jsonl", "queries.jsonl.gz", "queries.parquet"]);
  if (!corpus || !queries) return undefined;
  return splits.map((split) => {
    const qrels = first(
      ["tsv", "tsv.gz", "jsonl", "jsonl.gz", "parquet"].map((extension) => `qrels/${split}.${extension}`),
    );
    if (!qrels) {
      const existing = files
        .filter((file) => file.startsWith("qrels/") && readableQrels.test(file))
        .map((file) => file.slice("qrels/".length).replace(readableQrels, ""));
      throw missingSplit(split, existing, `${describe}: qrels/`);
    }
    return { split, corpus: [corpus], queries: [queries], qrels: [qrels] };
  });
}

/** Folder layouts: `<role>/<split>-*.ext`, `<role>/<split>.ext` or `<role>/<split>/*.ext`. */
function fromFolders(
  files: readonly string[],
  splits: readonly string[],
  describe: string,
): HubSplitFiles[] | undefined {
  const corpus = splitsOf(files, ["corpus"]);
  const queries = splitsOf(files, ["queries"]);
  const qrels = splitsOf(files, ["qrels", "default"]);
  if (corpus.size === 0 || queries.size === 0 || qrels.size === 0) return undefined;
  return splits.map((split) => {
    const qrelsFiles = qrels.get(split);
    if (!qrelsFiles) throw missingSplit(split, [...qrels.keys()], `${describe}: the qrels folder`);
    return {
      split,
      corpus: oneSplit(corpus, split, `${describe}: corpus/`),
      queries: oneSplit(queries, split, `${describe}: queries/`),
      qrels: qrelsFiles,
    };
  });
}

function splitsOf(files: readonly string[], folders: readonly string[]): Map<string, string[]> {
  for (const folder of folders) {
    const splits = new Map<string, string[]>();
    for (const file of files) {
      if (!file.startsWith(`${folder}/`) || !readableQrels.test(file)) continue;
      if (folder !== "qrels" && folder !== "default" && !readable.test(file)) continue;
      const rest = file.slice(folder.length + 1);
      const split = rest.includes("/") ? rest.split("/")[0] : /^([^-.]+)/.exec(rest)?.[1];
      if (!split) continue;
      splits.set(split, [...(splits.get(split) ?? []), file].sort());
    }
    if (splits.size > 0) return splits;
  }
  return new Map();
}

function oneSplit(splits: Map<string, string[]>, split: string, describe: string): string[] {
  if (splits.size === 1) return [...splits.values()][0] as string[];
  const chosen = splits.get(split);
  if (chosen) return chosen;
  throw missingSplit(split, [...splits.keys()], describe);
}

function missingSplit(split: string, existing: readonly string[], where: string): DatasetError {
  const names = [...new Set(existing)].sort();
  return new DatasetError(`Split "${split}" not found in ${where}.`, {
    hint:
      names.length > 0
        ? `Splits present: ${names.join(", ")}. Set the task's \`splits:\` to one of them.`
        : "No split is present there; check the dataset and revision.",
  });
}

function noLayout(files: readonly string[], describe: string): never {
  throw new DatasetError(`${describe} holds no retrieval dataset this tool can read.`, {
    hint: `Expected a card with corpus/queries/qrels configs, BEIR files (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) or corpus/, queries/ and qrels/ folders of parquet or JSON lines. Files present: ${preview(files)}.`,
  });
}

function preview(files: readonly string[]): string {
  if (files.length === 0) return "none";
  const shown = files.slice(0, 15).join(", ");
  return files.length > 15 ? `${shown}, ... (${files.length} files)` : shown;
}
