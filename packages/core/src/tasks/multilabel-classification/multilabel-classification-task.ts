import { DatasetError } from "@embedeval/provider-contract";
import type { TaskResult } from "../../results/task-result.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import {
  averageMultilabelScores,
  type Label,
  LabelBinarizer,
  type MultilabelExperimentScores,
  multilabelExperimentKeys,
  multilabelExperimentScores,
  multilabelMainScore,
  predictNearestNeighbours,
  undersampledMultilabelIndices,
} from "./multilabel-scores.js";

export const multilabelClassificationTaskType: TaskTypeDefinition = {
  type: "MultilabelClassification",
  mainScore: multilabelMainScore,
  metricKeys: ["scores_per_experiment", ...multilabelExperimentKeys],
  promptTypes: { train: null, test: null },
  perItemUnit: "experiment",
};

/** MTEB's k of KNeighborsClassifier(n_neighbors=5). */
const neighbours = 5;

export interface MultilabelClassificationDataset extends TaskDatasetIdentity {
  /** The train split, in hub order (the sampled rows are addressed by position). */
  train: { text: string; labels: Label[] }[];
  /** The evaluated split. */
  test: { text: string; labels: Label[] }[];
  /** Rows kept per label per experiment: 8 by default. */
  samplesPerLabel?: number;
  experiments?: number;
}

export interface MultilabelScores {
  scores: Record<string, unknown>;
  experiments: MultilabelExperimentScores[];
  predictions: Uint8Array[][];
}

/** MTEB's multilabel protocol on given vectors (train vectors indexed like the train split). */
export function scoreMultilabelClassification(input: {
  trainVectors: ReadonlyMap<number, Float32Array>;
  trainLabels: readonly (readonly Label[])[];
  testVectors: readonly Float32Array[];
  testLabels: readonly (readonly Label[])[];
  trainIndices: readonly number[][];
}): MultilabelScores {
  const binarizer = new LabelBinarizer(input.testLabels);
  const truth = binarizer.transform(input.testLabels);
  const experiments: MultilabelExperimentScores[] = [];
  const predictions: Uint8Array[][] = [];
  for (const indices of input.trainIndices) {
    const predicted = predictNearestNeighbours(
      indices.map((index) => input.trainVectors.get(index) as Float32Array),
      binarizer.transform(indices.map((index) => input.trainLabels[index] as Label[])),
      input.testVectors,
      neighbours,
    );
    predictions.push(predicted);
    experiments.push(multilabelExperimentScores(truth, predicted));
  }
  return {
    scores: { scores_per_experiment: experiments, ...averageMultilabelScores(experiments) },
    experiments,
    predictions,
  };
}

/**
 * One multilabel classification split as MTEB 2.20 scores it (AbsTaskMultilabelClassification): ten
 * experiments, each drawing train rows with the task's numpy default_rng(42) (state carried across
 * experiments), fitting KNeighborsClassifier(n_neighbors=5) on their raw vectors and labels binarised
 * against the evaluated split's labels, and predicting the whole evaluated split. Above 2,000 rows MTEB
 * tries a stratified 2,000-row split, which `datasets` refuses for list labels (ValueError), so it
 * evaluates the whole split too, as here. Texts are embedded without a prompt type: the union of sampled
 * train rows (sorted), then the evaluated split. Per item: each experiment's accuracy.
 */
export function evaluateMultilabelClassification(
  context: TaskEmbeddingContext,
  dataset: MultilabelClassificationDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, multilabelClassificationTaskType, async (embed) => {
    const trainLabels = dataset.train.map((row) => row.labels);
    const trainIndices = undersampledMultilabelIndices(
      trainLabels,
      dataset.samplesPerLabel ?? 8,
      dataset.experiments ?? 10,
    );
    const smallest = Math.min(...trainIndices.map((indices) => indices.length));
    if (smallest < neighbours) {
      throw new DatasetError(
        `${dataset.name}: an experiment draws ${smallest} train rows, fewer than the ${neighbours} neighbours MTEB's KNeighborsClassifier needs.`,
        { hint: "Add labelled train rows (rows without labels are never drawn)." },
      );
    }
    const used = [...new Set(trainIndices.flat())].sort((a, b) => a - b);
    const usedVectors = await embed(
      "train",
      used.map((index) => (dataset.train[index] as { text: string }).text),
    );
    const testVectors = await embed(
      "test",
      dataset.test.map((row) => row.text),
    );
    const result = scoreMultilabelClassification({
      trainVectors: new Map(used.map((index, position) => [index, usedVectors[position] as Float32Array])),
      trainLabels,
      testVectors,
      testLabels: dataset.test.map((row) => row.labels),
      trainIndices,
    });
    return {
      scores: result.scores,
      perItem: perItemRecord(
        multilabelMainScore,
        result.experiments.map((_, index) => `experiment ${index}`),
        result.experiments.map((experiment) => experiment.accuracy),
      ),
      counts: {
        documents: used.length + dataset.test.length,
        queries: dataset.test.length,
        scoredQueries: dataset.test.length,
      },
    };
  });
}
