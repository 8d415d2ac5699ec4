import { type JudgedRanking, RELEVANCE_LEVEL } from "./judged-ranking.js";

/** Relevant documents in the top k. */
export function relevantWithin(ranking: JudgedRanking, k: number): number {
  let found = 0;
  for (let index = 0; index < ranking.count; index++) {
    if ((ranking.ranks[index] as number) > k) break;
    if ((ranking.grades[index] as number) >= RELEVANCE_LEVEL) found++;
  }
  return found;
}

/**
 * Recall at cutoff k, as trec_eval's `recall` (m_recall.c): relevant documents in the top k divided by all
 * relevant documents of the query. A query without relevant documents scores 0.
 */
export function recallAt(ranking: JudgedRanking, k: number): number {
  if (ranking.totalRelevant === 0) return 0;
  return relevantWithin(ranking, k) / ranking.totalRelevant;
}
