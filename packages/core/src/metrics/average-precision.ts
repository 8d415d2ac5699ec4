import { type JudgedRanking, RELEVANCE_LEVEL } from "./judged-ranking.js";

/**
 * Average precision at cutoff k, as trec_eval's `map_cut` (m_map_cut.c): the precision at the rank of each
 * relevant document within the top k, summed and divided by the TOTAL number of relevant documents of the
 * query (not min(k, R)). A query without relevant documents scores 0.
 */
export function averagePrecisionAt(ranking: JudgedRanking, k: number): number {
  if (ranking.totalRelevant === 0) return 0;
  let relevantSoFar = 0;
  let sum = 0;
  for (let index = 0; index < ranking.count; index++) {
    const rank = ranking.ranks[index] as number;
    if (rank > k) break;
    if ((ranking.grades[index] as number) >= RELEVANCE_LEVEL) {
      relevantSoFar++;
      sum += relevantSoFar / rank;
    }
  }
  return sum / ranking.totalRelevant;
}
