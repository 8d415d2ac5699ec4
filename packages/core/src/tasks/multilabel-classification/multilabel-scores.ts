import { NumpyGenerator } from "../../statistics/numpy-generator.js";

/** MTEB's per-experiment keys, in its order; main score `accuracy` (MTEB's default for the type). */
export const multilabelExperimentKeys = ["accuracy", "lrap", "f1", "hamming"] as const;
export const multilabelMainScore = "accuracy";

export type MultilabelExperimentScores = Record<(typeof multilabelExperimentKeys)[number], number>;
export type Label = string | number;

/** A label's identity as Python's dict and set see it: 1 and "1" are different labels. */
function labelKey(label: Label): string {
  return `${typeof label}:${label}`;
}

/**
 * MTEB's `_undersample_data_indices` over all experiments: ONE numpy default_rng(seed) for the task;
 * each experiment shuffles a fresh list 0..n-1 with it (the generator's state carries over), then walks
 * it, keeping a row when ANY of its labels has fewer than `samplesPerLabel` kept rows and then counting
 * ALL its labels (a repeated label twice). A row without labels is never kept. Rows in walk order.
 */
export function undersampledMultilabelIndices(
  labels: readonly (readonly Label[])[],
  samplesPerLabel: number,
  experiments: number,
  seed = 42,
): number[][] {
  const generator = new NumpyGenerator(seed);
  const result: number[][] = [];
  for (let experiment = 0; experiment < experiments; experiment++) {
    const indices = Array.from({ length: labels.length }, (_, index) => index);
    generator.shuffle(indices);
    const counter = new Map<string, number>();
    const kept: number[] = [];
    for (const index of indices) {
      const rowLabels = (labels[index] as readonly Label[]).map(labelKey);
      if (rowLabels.some((label) => (counter.get(label) ?? 0) < samplesPerLabel)) {
        kept.push(index);
        for (const label of rowLabels) counter.set(label, (counter.get(label) ?? 0) + 1);
      }
    }
    result.push(kept);
  }
  return result;
}

/**
 * scikit-learn's MultiLabelBinarizer fitted on the evaluated split: one column per label it holds; rows
 * binarised against those columns, labels it does not know dropped (scikit-learn warns and ignores them).
 * Column order does not matter to any metric, so it is first appearance here, not scikit-learn's sorted order.
 */
export class LabelBinarizer {
  private readonly columns = new Map<string, number>();

  constructor(fitted: readonly (readonly Label[])[]) {
    for (const row of fitted) {
      for (const label of row) {
        const key = labelKey(label);
        if (!this.columns.has(key)) this.columns.set(key, this.columns.size);
      }
    }
  }

  get size(): number {
    return this.columns.size;
  }

  transform(rows: readonly (readonly Label[])[]): Uint8Array[] {
    return rows.map((row) => {
      const binary = new Uint8Array(this.columns.size);
      for (const label of row) {
        const column = this.columns.get(labelKey(label));
        if (column !== undefined) binary[column] = 1;
      }
      return binary;
    });
  }
}

/**
 * KNeighborsClassifier(n_neighbors=5) (Euclidean, uniform weights) on multi-output 0/1 targets: the 5
 * training rows nearest each test vector (squared distances in float64 from the float32 values), and per
 * label the majority of their votes (3 of 5: with 0/1 labels and 5 voters the vote cannot tie). Equal
 * distances are ordered by the row's position in the fitted (walk) order; scikit-learn's brute-force
 * search gives no documented order for exact ties at the 5th place, and its |x|²-2x·y+|y|² distances can
 * swap near-equal ones: only then can a prediction differ (docs/task-types.md).
 */
export function predictNearestNeighbours(
  trainVectors: readonly Float32Array[],
  trainTargets: readonly Uint8Array[],
  testVectors: readonly Float32Array[],
  neighbours = 5,
): Uint8Array[] {
  const width = trainTargets[0]?.length ?? 0;
  return testVectors.map((query) => {
    const distances = trainVectors.map((vector, position) => {
      let sum = 0;
      for (let index = 0; index < query.length; index++) {
        const difference = (query[index] as number) - (vector[index] as number);
        sum += difference * difference;
      }
      return { sum, position };
    });
    distances.sort((a, b) => a.sum - b.sum || a.position - b.position);
    const votes = new Uint8Array(width);
    for (const { position } of distances.slice(0, neighbours)) {
      const target = trainTargets[position] as Uint8Array;
      for (let column = 0; column < width; column++)
        votes[column] = (votes[column] as number) + (target[column] as number);
    }
    return votes.map((count) => (2 * count > neighbours ? 1 : 0));
  });
}

/**
 * The scores MTEB's `_calculate_scores` computes for one experiment: accuracy = classifier.score (the
 * exact label set), lrap = label_ranking_average_precision_score on the hard 0/1 predictions, f1 =
 * f1_score(average="macro") over the binarizer's columns, hamming = MTEB's hamming_score.
 */
export function multilabelExperimentScores(
  truth: readonly Uint8Array[],
  predicted: readonly Uint8Array[],
): MultilabelExperimentScores {
  const width = truth[0]?.length ?? 0;
  const truePositives = new Array<number>(width).fill(0);
  const falsePositives = new Array<number>(width).fill(0);
  const falseNegatives = new Array<number>(width).fill(0);
  let exact = 0;
  let lrap = 0;
  let hamming = 0;
  truth.forEach((row, index) => {
    const prediction = predicted[index] as Uint8Array;
    let same = true;
    let intersection = 0;
    let union = 0;
    for (let column = 0; column < width; column++) {
      const t = row[column] as number;
      const p = prediction[column] as number;
      if (t !== p) same = false;
      if (t && p) truePositives[column] = (truePositives[column] as number) + 1;
      if (!t && p) falsePositives[column] = (falsePositives[column] as number) + 1;
      if (t && !p) falseNegatives[column] = (falseNegatives[column] as number) + 1;
      if (t && p) intersection++;
      if (t || p) union++;
    }
    if (same) exact++;
    hamming += union === 0 ? 1 : intersection / union;
    lrap += rankingPrecision(row, prediction);
  });
  let f1 = 0;
  for (let column = 0; column < width; column++) {
    const denominator =
      2 * (truePositives[column] as number) +
      (falsePositives[column] as number) +
      (falseNegatives[column] as number);
    f1 += denominator === 0 ? 0 : (2 * (truePositives[column] as number)) / denominator;
  }
  const n = truth.length;
  return { accuracy: exact / n, lrap: lrap / n, f1: width === 0 ? 0 : f1 / width, hamming: hamming / n };
}

/**
 * One row's term of label_ranking_average_precision_score: 1 when no label or every label is relevant;
 * else the mean over relevant labels r of |relevant j with score ≥ score r| / |any j with score ≥ score r|
 * (scipy's rankdata "max" ranks of the negated scores).
 */
function rankingPrecision(truth: Uint8Array, scores: Uint8Array): number {
  let relevant = 0;
  for (const value of truth) relevant += value;
  if (relevant === 0 || relevant === truth.length) return 1;
  let sum = 0;
  for (let label = 0; label < truth.length; label++) {
    if (!truth[label]) continue;
    const score = scores[label] as number;
    let rank = 0;
    let relevantRank = 0;
    for (let other = 0; other < truth.length; other++) {
      if ((scores[other] as number) >= score) {
        rank++;
        if (truth[other]) relevantRank++;
      }
    }
    sum += relevantRank / rank;
  }
  return sum / relevant;
}

/** MTEB's averages: np.mean over the experiments, per key. */
export function averageMultilabelScores(
  experiments: readonly MultilabelExperimentScores[],
): MultilabelExperimentScores {
  const mean = (key: (typeof multilabelExperimentKeys)[number]) =>
    experiments.reduce((sum, experiment) => sum + experiment[key], 0) / experiments.length;
  return { accuracy: mean("accuracy"), lrap: mean("lrap"), f1: mean("f1"), hamming: mean("hamming") };
}
