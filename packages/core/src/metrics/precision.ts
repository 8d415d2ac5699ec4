import type { JudgedRanking } from "./judged-ranking.js";
import { relevantWithin } from "./recall.js";

/**
 * Precision at cutoff k, as trec_eval's `P` (m_P.c): relevant documents in the top k divided by k, even when
 * fewer than k documents were retrieved (the missing ones count as non-relevant).
 */
export function precisionAt(ranking: JudgedRanking, k: number): number {
  return relevantWithin(ranking, k) / k;
}
