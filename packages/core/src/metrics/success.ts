import { type JudgedRanking, RELEVANCE_LEVEL } from "./judged-ranking.js";

/** Success (MTEB's hit rate) at cutoff k, as trec_eval's `success` (m_success.c): 1 if a relevant document is in the top k. */
export function successAt(ranking: JudgedRanking, k: number): number {
  for (let index = 0; index < ranking.count; index++) {
    if ((ranking.ranks[index] as number) > k) return 0;
    if ((ranking.grades[index] as number) >= RELEVANCE_LEVEL) return 1;
  }
  return 0;
}
