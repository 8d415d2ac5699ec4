export type { CompareOptions, HeadFailure } from "./compare-results.js";
export { compareResults, ruleFor } from "./compare-results.js";
export type {
  Comparison,
  ComparisonEntry,
  ComparisonRow,
  RowStatus,
  RuleLevel,
  Verdict,
} from "./comparison.js";
export type { BootstrapOptions, ConfidenceInterval } from "./paired-bootstrap.js";
export { pairedBootstrapInterval } from "./paired-bootstrap.js";
export type { PermutationOptions } from "./paired-permutation-test.js";
export { exactPairedPermutationPValue, pairedPermutationPValue } from "./paired-permutation-test.js";
export type { SeededRandom } from "./seeded-random.js";
export { createSeededRandom, deriveSeed } from "./seeded-random.js";
