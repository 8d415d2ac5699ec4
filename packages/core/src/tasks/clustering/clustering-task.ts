import { DatasetError } from "@embedeval/provider-contract";
import type { TaskResult } from "../../results/task-result.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import {
  clusteringDownsample,
  clusteringMainScore,
  clusteringMetricKeys,
  defaultClusteringProtocol,
  labelsAtLevels,
  scoreClustering,
} from "./clustering-scores.js";

export const clusteringTaskType: TaskTypeDefinition = {
  type: "Clustering",
  mainScore: clusteringMainScore,
  metricKeys: clusteringMetricKeys,
  promptTypes: { sentences: null },
  perItemUnit: "experiment",
};

export interface ClusteringDataset extends TaskDatasetIdentity {
  /** Documents after the task's own preparation, in hub order; a label list is one label per hierarchy level. */
  rows: { sentence: string; label: string | number | (string | number)[] }[];
  /** Embed every document instead of MTEB's 4% draw (a task that sets max_fraction_of_documents_to_embed = None). */
  embedAll?: boolean;
}

/** The documents a clustering split embeds, and the CPython stream its bootstrap continues. */
export function clusteringDocuments(dataset: Pick<ClusteringDataset, "rows" | "embedAll">) {
  return clusteringDownsample(
    dataset.rows.length,
    dataset.embedAll ? { ...defaultClusteringProtocol, maxFractionOfDocumentsToEmbed: null } : undefined,
  );
}

/**
 * One clustering split as MTEB v2 scores it: 4% of the documents drawn with CPython's Random(42) and
 * embedded without a prompt type, then per hierarchy level ten bootstrap experiments of MiniBatchKMeans.
 * Per item: each (level, experiment)'s V-measure, whose mean is the main score.
 */
export function evaluateClustering(
  context: TaskEmbeddingContext,
  dataset: ClusteringDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, clusteringTaskType, async (embed) => {
    const { indices, random } = clusteringDocuments(dataset);
    if (indices.length < 2) {
      throw new DatasetError(
        `${dataset.name}: ${dataset.rows.length} documents, of which MTEB's protocol embeds ${indices.length}.`,
        {
          hint: "MTEB's clustering embeds 4% of the documents: give the split at least 50 documents.",
        },
      );
    }
    const vectors = await embed(
      "sentences",
      indices.map((index) => (dataset.rows[index] as ClusteringDataset["rows"][number]).sentence),
    );
    const levels = labelsAtLevels(dataset.rows.map((row) => row.label)).map((labels) =>
      indices.map((index) => labels[index] as string),
    );
    const result = scoreClustering(vectors, levels, random);
    return {
      scores: result.scores,
      perItem: perItemRecord(
        clusteringMainScore,
        result.perExperiment.map((experiment) => experiment.id),
        result.perExperiment.map((experiment) => experiment.vMeasure),
      ),
      counts: { documents: indices.length, queries: dataset.rows.length, scoredQueries: indices.length },
    };
  });
}
