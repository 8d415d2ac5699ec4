import type { JudgedRanking } from "./judged-ranking.js";

/**
 * nDCG at cutoff k, as trec_eval's `ndcg_cut` (m_ndcg_cut.c): gain = the grade (linear), discount
 * log2(rank + 1), summed in rank order over the top k; divided by the same sum over the ideal ranking built from
 * the query's judgments (every positive grade, best first), cut at k. A query without a positive grade scores 0.
 */
export function ndcgAt(ranking: JudgedRanking, k: number): number {
  let dcg = 0;
  for (let index = 0; index < ranking.count; index++) {
    const rank = ranking.ranks[index] as number;
    if (rank > k) break;
    dcg += (ranking.grades[index] as number) / Math.log2(rank + 1);
  }
  let idealDcg = 0;
  const idealLength = Math.min(k, ranking.idealGrades.length);
  for (let index = 0; index < idealLength; index++) {
    idealDcg += (ranking.idealGrades[index] as number) / Math.log2(index + 2);
  }
  return idealDcg > 0 ? dcg / idealDcg : dcg;
}
