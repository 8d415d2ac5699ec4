/**
 * trec_eval orders a query's documents by score descending and breaks ties by document id
 * DESCENDING in strcmp (byte) order (trec_eval's `comp_sim_docno`). MTEB's scores go through
 * pytrec_eval, so that is the order embedeval must reproduce, including at the top-k boundary:
 * when equal scores straddle the cut, the documents trec_eval would rank first are the ones kept.
 *
 * The search works on document positions, not ids, so ties are resolved with a tie rank per
 * document: its position when all ids are sorted ascending by their UTF-8 bytes. A higher tie rank
 * wins a tie, exactly like a byte-greater id does in trec_eval.
 */

import { compareDocumentIds } from "../trec/document-id-order.js";

/**
 * The tie rank of every document: `tieRanks[i]` is the position of `ids[i]` among all ids sorted
 * ascending by UTF-8 bytes. Pass it to `exactSearch` as `documentTieRank`.
 */
export function tieRanksFromIds(ids: readonly string[]): Uint32Array {
  const order = Array.from({ length: ids.length }, (_, index) => index);
  order.sort((left, right) => compareDocumentIds(ids[left] as string, ids[right] as string) || left - right);
  const ranks = new Uint32Array(ids.length);
  for (let position = 0; position < order.length; position++) ranks[order[position] as number] = position;
  return ranks;
}
