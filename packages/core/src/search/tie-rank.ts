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

/** Compares two ids by their UTF-8 bytes, like C strcmp (for ids without NUL characters). */
export function compareIdsByteOrder(left: string, right: string): number {
  // UTF-8 byte order equals Unicode code point order, which differs from JavaScript's UTF-16 code
  // unit order only for astral characters against U+E000..U+FFFF; compare code points to be exact.
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const leftUnit = left.charCodeAt(index);
    const rightUnit = right.charCodeAt(index);
    if (leftUnit === rightUnit) continue;
    const leftIsSurrogate = leftUnit >= 0xd800 && leftUnit <= 0xdfff;
    const rightIsSurrogate = rightUnit >= 0xd800 && rightUnit <= 0xdfff;
    if (leftIsSurrogate !== rightIsSurrogate && (leftUnit >= 0xe000 || rightUnit >= 0xe000)) {
      // One side is a surrogate (code point >= U+10000), the other a BMP character >= U+E000.
      return leftIsSurrogate ? 1 : -1;
    }
    return leftUnit - rightUnit;
  }
  return left.length - right.length;
}

/**
 * The tie rank of every document: `tieRanks[i]` is the position of `ids[i]` among all ids sorted
 * ascending by UTF-8 bytes. Pass it to `exactSearch` as `documentTieRank`.
 */
export function tieRanksFromIds(ids: readonly string[]): Uint32Array {
  const order = Array.from({ length: ids.length }, (_, index) => index);
  order.sort((left, right) => compareIdsByteOrder(ids[left] as string, ids[right] as string) || left - right);
  const ranks = new Uint32Array(ids.length);
  for (let position = 0; position < order.length; position++) ranks[order[position] as number] = position;
  return ranks;
}
