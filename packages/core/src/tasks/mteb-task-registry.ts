/**
 * MTEB retrieval tasks a config can name without `path` or `hub`: `- name: SciFact`. Each entry holds
 * what MTEB's own task metadata says (embeddings-benchmark/mteb, mteb/tasks/retrieval/eng/*.py): the hub
 * dataset, the revision MTEB pins, the split it evaluates, and `ignore_identical_ids`. The flag matters:
 * MTEB drops query-id == doc-id hits only for the tasks that set it (ArguAna, FiQA2018, Quora, MSMARCO,
 * FEVER), so copying BEIR's "always drop" default would change scores.
 */
import { closestMatch } from "@embedeval/provider-contract";

export interface MtebRetrievalTask {
  /** MTEB's task name, as in its results files (`SciFact.json`). */
  name: string;
  /** Other names accepted in a config (e.g. `Quora` for MTEB's `QuoraRetrieval`). */
  aliases: readonly string[];
  /** Hub dataset id in BEIR file layout. */
  repository: string;
  /** The dataset revision MTEB pins in its task metadata, so scores are comparable with its leaderboard. */
  revision: string;
  /** Splits MTEB evaluates by default. */
  splits: readonly string[];
  ignoreIdenticalIds: boolean;
  mainScore: "ndcg_at_10";
}

function task(
  name: string,
  repository: string,
  revision: string,
  options: { splits?: string[]; ignoreIdenticalIds?: boolean; aliases?: string[] } = {},
): MtebRetrievalTask {
  return {
    name,
    aliases: options.aliases ?? [],
    repository,
    revision,
    splits: options.splits ?? ["test"],
    ignoreIdenticalIds: options.ignoreIdenticalIds ?? false,
    mainScore: "ndcg_at_10",
  };
}

/** The BEIR tasks of MTEB's English retrieval benchmark that live in BEIR file layout on the hub. */
export const mtebRetrievalTasks: readonly MtebRetrievalTask[] = [
  task("SciFact", "mteb/scifact", "0228b52cf27578f30900b9e5271d331663a030d7"),
  task("NFCorpus", "mteb/nfcorpus", "ec0fa4fe99da2ff19ca1214b7966684033a58814"),
  task("ArguAna", "mteb/arguana", "c22ab2a51041ffd869aaddef7af8d8215647e41a", { ignoreIdenticalIds: true }),
  task("FiQA2018", "mteb/fiqa", "27a168819829fe9bcd655c2df245fb19452e8e06", {
    ignoreIdenticalIds: true,
    aliases: ["FiQA"],
  }),
  task("SCIDOCS", "mteb/scidocs", "f8c2fcf00f625baaa80f62ec5bd9e1fff3b8ae88"),
  task("TRECCOVID", "mteb/trec-covid", "bb9466bac8153a0349341eb1b22e06409e78ef4e", {
    aliases: ["TREC-COVID"],
  }),
  task("QuoraRetrieval", "mteb/quora", "e4e08e0b7dbe3c8700f0daef558ff32256715259", {
    ignoreIdenticalIds: true,
    aliases: ["Quora"],
  }),
  task("NQ", "mteb/nq", "b774495ed302d8c44a3a7ea25c90dbce03968f31"),
  task("HotpotQA", "mteb/hotpotqa", "ab518f4d6fcca38d87c25209f94beba119d02014"),
  task("MSMARCO", "mteb/msmarco", "c5a29a104738b98a9e76336939199e264163d4a0", {
    splits: ["dev"],
    ignoreIdenticalIds: true,
  }),
  task("FEVER", "mteb/fever", "bea83ef9e8fb933d90a2f1d5515737465d613e12", { ignoreIdenticalIds: true }),
];

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
