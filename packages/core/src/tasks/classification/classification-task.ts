import type { TaskResult } from "../../results/task-result.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import {
  averageExperimentScores,
  classificationExperimentKeys,
  classificationExperimentScores,
  classificationMainScore,
  type ExperimentScores,
} from "./classification-scores.js";
import { fitLogisticRegression, predictLogisticRegression } from "./logistic-regression.js";
import { undersampledTrainIndices } from "./undersample.js";

export const classificationTaskType: TaskTypeDefinition = {
  type: "Classification",
  mainScore: classificationMainScore,
  metricKeys: ["scores_per_experiment", ...classificationExperimentKeys],
  promptTypes: { train: null, test: null },
  perItemUnit: "experiment",
};

export interface ClassificationDataset extends TaskDatasetIdentity {
  /** The train split, in hub order (the sampled rows are addressed by position). */
  train: { text: string; label: number }[];
  /** The evaluated split. */
  test: { text: string; label: number }[];
  /** Rows kept per label per experiment: 8 by default, 16 or 32 for some MTEB tasks. */
  samplesPerLabel?: number;
  experiments?: number;
}

export interface ClassificationScores {
  scores: Record<string, unknown>;
  experiments: ExperimentScores[];
  trainIndices: number[][];
  predictions: number[][];
}

/** MTEB's logistic-regression protocol on given vectors (train vectors indexed like the train split). */
export function scoreClassification(input: {
  trainVectors: ReadonlyMap<number, Float32Array>;
  trainLabels: readonly number[];
  testVectors: readonly Float32Array[];
  testLabels: readonly number[];
  trainIndices: readonly number[][];
}): ClassificationScores {
  const experiments: ExperimentScores[] = [];
  const predictions: number[][] = [];
  for (const indices of input.trainIndices) {
    const model = fitLogisticRegression(
      indices.map((index) => input.trainVectors.get(index) as Float32Array),
      indices.map((index) => input.trainLabels[index] as number),
    );
    const predicted = predictLogisticRegression(model, input.testVectors);
    predictions.push(predicted);
    experiments.push(classificationExperimentScores(input.testLabels, predicted));
  }
  return {
    scores: { scores_per_experiment: experiments, ...averageExperimentScores(experiments) },
    experiments,
    trainIndices: input.trainIndices.map((indices) => [...indices]),
    predictions,
  };
}

/**
 * One classification split as MTEB 2.20 scores it: ten experiments, each fitting scikit-learn's
 * LogisticRegression (ported with its lbfgs steps and stopping test) on an undersampled train set drawn
 * with numpy's RandomState(42), predicting the whole evaluated split. Texts are embedded without a prompt
 * type: the union of sampled train rows (sorted), then the evaluated split. Per item: each experiment's accuracy.
 */
export function evaluateClassification(
  context: TaskEmbeddingContext,
  dataset: ClassificationDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, classificationTaskType, async (embed) => {
    const trainLabels = dataset.train.map((row) => row.label);
    const trainIndices = undersampledTrainIndices(
      trainLabels,
      dataset.samplesPerLabel ?? 8,
      dataset.experiments ?? 10,
    );
    const used = [...new Set(trainIndices.flat())].sort((a, b) => a - b);
    const usedVectors = await embed(
      "train",
      used.map((index) => (dataset.train[index] as { text: string }).text),
    );
    const testVectors = await embed(
      "test",
      dataset.test.map((row) => row.text),
    );
    const result = scoreClassification({
      trainVectors: new Map(used.map((index, position) => [index, usedVectors[position] as Float32Array])),
      trainLabels,
      testVectors,
      testLabels: dataset.test.map((row) => row.label),
      trainIndices,
    });
    return {
      scores: result.scores,
      perItem: perItemRecord(
        classificationMainScore,
        result.experiments.map((_, index) => `experiment ${index}`),
        result.experiments.map((experiment) => experiment.accuracy as number),
      ),
      counts: {
        documents: used.length + dataset.test.length,
        queries: dataset.test.length,
        scoredQueries: dataset.test.length,
      },
    };
  });
}
