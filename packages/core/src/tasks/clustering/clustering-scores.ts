import { adjustedMutualInformation, vMeasureScore } from "../../statistics/cluster-agreement.js";
import { PythonRandom } from "../../statistics/mersenne-twister.js";
import { miniBatchKMeansLabels } from "./mini-batch-k-means.js";

export const clusteringMetricKeys = [
  "v_measures",
  "v_measure",
  "v_measure_std",
  "ami_scores",
  "ami",
  "ami_std",
] as const;
export const clusteringMainScore = "v_measure";

/** MTEB v2 clustering parameters (AbsTaskClustering defaults). */
export interface ClusteringProtocol {
  /** null: MTEB's `max_fraction_of_documents_to_embed = None`, every document embedded, nothing drawn. */
  maxFractionOfDocumentsToEmbed: number | null;
  bootstrapSize: number;
  experiments: number;
  batchSize: number;
  seed: number;
}
export const defaultClusteringProtocol: ClusteringProtocol = {
  maxFractionOfDocumentsToEmbed: 0.04,
  bootstrapSize: 16384,
  experiments: 10,
  batchSize: 512,
  seed: 42,
};

/**
 * Which documents MTEB embeds: sample(range(N), int(0.04·N)) from CPython's Random(42), in draw order;
 * every document, in order, without a draw when the fraction is null (StackExchangeClustering.v2).
 */
export function clusteringDownsample(
  documentCount: number,
  protocol: ClusteringProtocol = defaultClusteringProtocol,
): { indices: number[]; random: PythonRandom } {
  const random = new PythonRandom(protocol.seed);
  if (protocol.maxFractionOfDocumentsToEmbed === null) {
    return { indices: Array.from({ length: documentCount }, (_, index) => index), random };
  }
  const size = Math.min(documentCount, Math.floor(protocol.maxFractionOfDocumentsToEmbed * documentCount));
  return { indices: random.sampleRange(documentCount, size), random };
}

/** Labels per hierarchy level: element L of each document's list, the string "-1" where it has none (MTEB's quirk). */
export function labelsAtLevels(
  labels: readonly (string | number | readonly (string | number)[])[],
): string[][] {
  const lists = labels.map((label) => (Array.isArray(label) ? label.map(String) : [String(label)]));
  const depth = Math.max(...lists.map((list) => list.length));
  return Array.from({ length: depth }, (_, level) => lists.map((list) => list[level] ?? "-1"));
}

export interface ClusteringScores {
  scores: Record<string, unknown>;
  /** One entry per level and experiment, in order: its V-measure. */
  perExperiment: { id: string; vMeasure: number }[];
}

/**
 * MTEB's `_evaluate_clustering_bootstrapped`: per level, k = the distinct labels among the embedded
 * documents; ten experiments each draw 16,384 rows with replacement (choices, continuing the same
 * CPython stream after the downsample) and fit MiniBatchKMeans(k, batch 512, n_init 1, seed 42).
 */
export function scoreClustering(
  vectors: readonly Float32Array[],
  levels: readonly (readonly string[])[],
  random: PythonRandom,
  protocol: ClusteringProtocol = defaultClusteringProtocol,
): ClusteringScores {
  const vMeasures: Record<string, number[]> = {};
  const amiScores: Record<string, number[]> = {};
  const perExperiment: ClusteringScores["perExperiment"] = [];
  levels.forEach((labels, level) => {
    const key = `Level ${level}`;
    const clusters = new Set(labels).size;
    vMeasures[key] = [];
    amiScores[key] = [];
    for (let experiment = 0; experiment < protocol.experiments; experiment++) {
      const rows = random.choicesRange(vectors.length, protocol.bootstrapSize);
      const predicted = miniBatchKMeansLabels(
        rows.map((row) => vectors[row] as Float32Array),
        { clusters, batchSize: protocol.batchSize, seed: protocol.seed },
      );
      const truth = rows.map((row) => labels[row] as string);
      const vMeasure = vMeasureScore(truth, predicted);
      vMeasures[key]?.push(vMeasure);
      amiScores[key]?.push(adjustedMutualInformation(truth, predicted));
      perExperiment.push({ id: `${key} experiment ${experiment}`, vMeasure });
    }
  });
  const all = (record: Record<string, number[]>) => Object.values(record).flat();
  return {
    scores: {
      v_measures: vMeasures,
      v_measure: mean(all(vMeasures)),
      v_measure_std: populationStd(all(vMeasures)),
      ami_scores: amiScores,
      ami: mean(all(amiScores)),
      ami_std: populationStd(all(amiScores)),
    },
    perExperiment,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function populationStd(values: readonly number[]): number {
  const average = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - average) ** 2)));
}
