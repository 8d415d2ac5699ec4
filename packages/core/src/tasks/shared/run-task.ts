import type { TaskResult } from "../../results/task-result.js";
import { embedColumn, type TaskEmbeddingContext, taskUsageRecorder } from "./task-embedding.js";
import { taskResultOf } from "./task-result-of.js";
import type { PromptType, TaskTypeDefinition } from "./task-type.js";

/** What every non-retrieval dataset carries besides its rows. */
export interface TaskDatasetIdentity {
  /** Task name as shown in results ("STS12", "my-sts"). */
  name: string;
  split: string;
  /** The hub revision for hub datasets; undefined for local files. */
  hubRevision?: string;
  /** sha256 of the dataset's bytes: the revision of local files. */
  contentHash: string;
  /** Counted, non-fatal problems, already summarised. */
  warnings: string[];
  hfSubset?: string;
  languages?: string[];
}

export interface TaskScoring {
  scores: Record<string, unknown>;
  perItem: Record<string, Record<string, number>>;
  /** texts embedded, items, items scored. */
  counts: TaskResult["embedeval"]["counts"];
  warnings?: string[];
}

/** Embeds a column with the task's declared prompt type; returns its vectors. */
export type ColumnEmbedder = (column: string, texts: readonly string[]) => Promise<Float32Array[]>;

/**
 * The frame every task type runs in: timing, one usage recorder, embedding each column with the prompt
 * type the task declares, then the result file. `score` embeds what it needs through `embed` and scores.
 */
export async function runTask(
  context: TaskEmbeddingContext,
  dataset: TaskDatasetIdentity,
  definition: TaskTypeDefinition,
  score: (embed: ColumnEmbedder) => TaskScoring | Promise<TaskScoring>,
  now: () => number = () => performance.now(),
): Promise<TaskResult> {
  const started = now();
  const recorder = taskUsageRecorder(context);
  const warnings: string[] = [];
  let embedMilliseconds = 0;
  const embed: ColumnEmbedder = async (column, texts) => {
    const promptType: PromptType | undefined = definition.promptTypes[column];
    if (promptType === undefined)
      throw new Error(`${definition.type} declares no prompt type for column ${column}`);
    const embedStarted = now();
    const result = await embedColumn(context, recorder, column, texts, promptType);
    embedMilliseconds += now() - embedStarted;
    warnings.push(...result.warnings);
    return result.vectors;
  };
  const scoring = await score(embed);
  const totalSeconds = (now() - started) / 1000;
  const embedSeconds = embedMilliseconds / 1000;
  return taskResultOf({
    model: context.model,
    provider: context.provider,
    taskName: dataset.name,
    split: dataset.split,
    datasetRevision: dataset.hubRevision ?? dataset.contentHash,
    contentHash: dataset.contentHash,
    scores: scoring.scores,
    mainScore: definition.mainScore,
    taskType: definition.type,
    ...(dataset.hfSubset ? { hfSubset: dataset.hfSubset } : {}),
    ...(dataset.languages ? { languages: dataset.languages } : {}),
    perItem: scoring.perItem,
    usage: recorder.summary(),
    timings: { embedSeconds, searchSeconds: 0, scoreSeconds: totalSeconds - embedSeconds, totalSeconds },
    warnings: [...dataset.warnings, ...warnings, ...(scoring.warnings ?? [])],
    counts: scoring.counts,
  });
}

/** The per-item record the comparison reads: one value of the main score per item id. */
export function perItemRecord(
  mainScore: string,
  ids: readonly string[],
  values: ArrayLike<number>,
): Record<string, Record<string, number>> {
  const record: Record<string, Record<string, number>> = {};
  ids.forEach((id, index) => {
    record[id] = { [mainScore]: values[index] as number };
  });
  return record;
}
