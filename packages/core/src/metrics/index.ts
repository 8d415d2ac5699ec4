export { averagePrecisionAt } from "./average-precision.js";
export { type EvaluateRunOptions, evaluateRun, type RunEvaluation } from "./evaluate-run.js";
export { type JudgedRanking, RELEVANCE_LEVEL, rankGradedDocuments } from "./judged-ranking.js";
export {
  MEASURES,
  type Measure,
  metricName,
  metricNames,
  normalizeKValues,
  parseKValues,
} from "./metric-names.js";
export { ndcgAt } from "./ndcg.js";
export { precisionAt } from "./precision.js";
export { recallAt } from "./recall.js";
export { reciprocalRankAt } from "./reciprocal-rank.js";
export { successAt } from "./success.js";
