import { evaluateRun } from "../../metrics/evaluate-run.js";
import { metricName } from "../../metrics/metric-names.js";
import type { Qrels } from "../../trec/qrels.js";
import type { Run } from "../../trec/run.js";
import { confidenceFunctions, normalizedAbstentionAuc, queryConfidences } from "./abstention-nauc.js";

/** MTEB's cut-offs for retrieval and reranking. */
export const mtebKValues = [1, 3, 5, 10, 20, 100, 1000] as const;
/** The measures nAUC is computed for (hit rate has none), in MTEB's order. */
const naucMeasures = ["ndcg", "map", "recall", "precision", "mrr"] as const;

export interface MtebRetrievalScores {
  /** MTEB's keys in its order; means rounded to 5 decimals as MTEB rounds them in memory, MRR and nAUC not. */
  scores: Record<string, number>;
  /** Query id -> unrounded per-query values, for the comparison's resampling. */
  perQuery: Map<string, Record<string, number>>;
}

/**
 * `calculate_retrieval_scores` of MTEB 2.20 for a run that holds every scored query (a query with
 * judgements but no results has an empty list and scores 0): trec_eval's measures and MTEB's MRR per
 * query, their means, `accuracy` (= recall_at_1), and the nAUC of every measure at every cut-off.
 */
export function mtebRetrievalScores(run: Run, qrels: Qrels): MtebRetrievalScores {
  const evaluation = evaluateRun(qrels, run, { kValues: [...mtebKValues], scoreMissingQueries: true });
  const queryIds = [...evaluation.perQuery.keys()];
  const scores: Record<string, number> = {};
  const mean = (name: string): number => {
    let sum = 0;
    for (const values of evaluation.perQuery.values()) sum += values[name] as number;
    return sum / queryIds.length;
  };
  const round5 = (value: number): number => Number(value.toFixed(5));
  for (const measure of ["ndcg", "map", "recall"] as const) {
    for (const k of mtebKValues) scores[metricName(measure, k)] = round5(mean(metricName(measure, k)));
  }
  scores.accuracy = scores.recall_at_1 as number;
  for (const k of mtebKValues) scores[metricName("precision", k)] = round5(mean(metricName("precision", k)));
  for (const k of mtebKValues) scores[metricName("mrr", k)] = mean(metricName("mrr", k));
  const confidences = queryIds.map((queryId) =>
    queryConfidences((run.get(queryId) ?? []).map((document) => document.score)),
  );
  for (const measure of naucMeasures) {
    for (const k of mtebKValues) {
      const name = metricName(measure, k);
      const metrics = queryIds.map((queryId) => evaluation.perQuery.get(queryId)?.[name] as number);
      for (const confidence of confidenceFunctions) {
        scores[`nauc_${name}_${confidence}`] = normalizedAbstentionAuc(
          confidences.map((values) => values[confidence]),
          metrics,
        );
      }
    }
  }
  for (const k of mtebKValues) scores[metricName("hit_rate", k)] = round5(mean(metricName("hit_rate", k)));
  return { scores, perQuery: evaluation.perQuery };
}
