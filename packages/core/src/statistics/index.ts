// Seeded random numbers, percentiles and the paired tests behind every confidence interval and verdict.

export { averagePrecisionScore, averagePrecisionTerms } from "./average-precision-score.js";
export { adjustedMutualInformation, vMeasureScore } from "./cluster-agreement.js";
export {
  averageRanks,
  correlationTerms,
  pearsonCorrelation,
  spearmanCorrelation,
  spearmanTerms,
} from "./correlation.js";
export { type MinimizeOptions, type MinimizeResult, minimizeLbfgs } from "./lbfgs-minimize.js";
export { MoreThuenteSearch } from "./line-search-dcsrch.js";
export { MersenneTwister, NumpyRandomState, numpyLegacyShuffle, PythonRandom } from "./mersenne-twister.js";
export { NumpyGenerator, Pcg64 } from "./numpy-generator.js";
export type { BootstrapOptions, ConfidenceInterval } from "./paired-bootstrap.js";
export { pairedBootstrapInterval } from "./paired-bootstrap.js";
export type { PermutationOptions } from "./paired-permutation-test.js";
export { exactPairedPermutationPValue, pairedPermutationPValue } from "./paired-permutation-test.js";
export { percentile } from "./percentile.js";
export type { SeededRandom } from "./seeded-random.js";
export { createSeededRandom, deriveSeed } from "./seeded-random.js";
