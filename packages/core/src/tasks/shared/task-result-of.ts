import type { EmbeddingProvider } from "@embedeval/provider-contract";
import { mtebResultFormatVersion, mtebVersionField } from "../../results/mteb-model-meta.js";
import type { SplitScores, TaskResult, UsageSummary } from "../../results/task-result.js";
import { version } from "../../version.js";
import type { EvaluatedModel } from "../evaluated-model.js";
import { modelIdentity } from "./model-identity.js";

export interface TaskResultParts {
  model: EvaluatedModel;
  provider: EmbeddingProvider;
  taskName: string;
  split: string;
  /** MTEB's dataset_revision: the hub revision, else the content hash. */
  datasetRevision: string;
  contentHash?: string;
  /** The metric keys in MTEB's order (nested values such as scores_per_experiment allowed). */
  scores: Record<string, unknown>;
  mainScore: string;
  /** MTEB's task type, written as embedeval.task_type so tables group tasks by type. */
  taskType: string;
  hfSubset?: string;
  languages?: string[];
  /** Item id -> { main score key: value }, the unit the comparison resamples. */
  perItem: Record<string, Record<string, number>>;
  usage: UsageSummary;
  timings: TaskResult["embedeval"]["timings"];
  warnings: string[];
  counts: TaskResult["embedeval"]["counts"];
}

/** A result file for any task type, in MTEB's layout with the embedeval block (see results/task-result.ts). */
export function taskResultOf(parts: TaskResultParts): TaskResult {
  const { model, provider } = parts;
  const main = parts.scores[parts.mainScore];
  const splitScores = {
    ...parts.scores,
    main_score: typeof main === "number" ? main : Number.NaN,
    hf_subset: parts.hfSubset ?? "default",
    languages: parts.languages ?? ["eng-Latn"],
  } as SplitScores;
  return {
    dataset_revision: parts.datasetRevision,
    task_name: parts.taskName,
    mteb_version: mtebVersionField(version),
    scores: { [parts.split]: [splitScores] },
    evaluation_time: parts.timings.totalSeconds,
    date: Math.floor(Date.now() / 1000),
    embedeval: {
      version,
      mteb_format_version: mtebResultFormatVersion,
      model: modelIdentity(model, provider),
      per_query: { [parts.split]: parts.perItem },
      main_metric: parts.mainScore,
      task_type: parts.taskType,
      ...(parts.contentHash ? { dataset_content_hash: parts.contentHash } : {}),
      usage: parts.usage,
      timings: parts.timings,
      warnings: parts.warnings,
      counts: parts.counts,
    },
  };
}
