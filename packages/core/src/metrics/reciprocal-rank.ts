import { type JudgedRanking, RELEVANCE_LEVEL } from "./judged-ranking.js";

/**
 * Reciprocal rank at cutoff k, as MTEB computes `mrr_at_k` itself (not through pytrec_eval): 1 / rank of the
 * first document with a grade > 0 in the top k, else 0. MTEB keeps only grades > 0 as relevant, which with
 * integer grades is the same set as relevance level 1.
 */
export function reciprocalRankAt(ranking: JudgedRanking, k: number): number {
  for (let index = 0; index < ranking.count; index++) {
    const rank = ranking.ranks[index] as number;
    if (rank > k) return 0;
    if ((ranking.grades[index] as number) >= RELEVANCE_LEVEL) return 1 / rank;
  }
  return 0;
}
