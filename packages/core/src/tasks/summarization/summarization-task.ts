import type { TaskResult } from "../../results/task-result.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import {
  scoreSummarization,
  summarizationMainScore,
  summarizationMetricKeys,
} from "./summarization-scores.js";

export const summarizationTaskType: TaskTypeDefinition = {
  type: "Summarization",
  mainScore: summarizationMainScore,
  metricKeys: summarizationMetricKeys,
  promptTypes: { human_summaries: null, machine_summaries: null },
  perItemUnit: "text",
};

export interface SummarizationDataset extends TaskDatasetIdentity {
  /** Per source text (never embedded): its human and machine summaries and one relevance per machine summary. */
  rows: { humanSummaries: string[]; machineSummaries: string[]; relevance: number[] }[];
}

/**
 * One summarization split as MTEB scores it (SummEvalSummarization.v2's evaluator): all human summaries
 * embedded, then all machine summaries. Per item: each kept text's cosine Spearman, whose mean is the main score.
 */
export function evaluateSummarization(
  context: TaskEmbeddingContext,
  dataset: SummarizationDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, summarizationTaskType, async (embed) => {
    const human = await embed(
      "human_summaries",
      dataset.rows.flatMap((row) => row.humanSummaries),
    );
    const machine = await embed(
      "machine_summaries",
      dataset.rows.flatMap((row) => row.machineSummaries),
    );
    let humanAt = 0;
    let machineAt = 0;
    const texts = dataset.rows.map((row) => {
      const text = {
        humanVectors: human.slice(humanAt, humanAt + row.humanSummaries.length),
        machineVectors: machine.slice(machineAt, machineAt + row.machineSummaries.length),
        relevance: row.relevance,
      };
      humanAt += row.humanSummaries.length;
      machineAt += row.machineSummaries.length;
      return text;
    });
    const result = scoreSummarization(texts, context.model.similarity);
    return {
      scores: result.scores,
      perItem: perItemRecord(
        summarizationMainScore,
        result.perText.map((text) => String(text.index)),
        result.perText.map((text) => text.cosineSpearman),
      ),
      counts: {
        documents: human.length + machine.length,
        queries: dataset.rows.length,
        scoredQueries: result.perText.length,
      },
      ...(result.skipped.length > 0
        ? {
            warnings: [
              `${result.skipped.length} texts skipped (equal gold scores or equal predictions), as MTEB skips them`,
            ],
          }
        : {}),
    };
  });
}
