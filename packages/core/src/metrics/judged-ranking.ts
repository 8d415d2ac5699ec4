/**
 * What every measure needs to know about one query's ranking: where the judged-relevant documents landed.
 *
 * Measures at cutoffs depend only on the ranks of documents with a positive grade (a non-relevant or unjudged
 * document only takes up a rank), so the evaluator never sorts a whole ranking: it finds the rank of each
 * positively graded document by counting the documents ranked above it (see `rankGradedDocuments`).
 */
export interface JudgedRanking {
  /** Number of retrieved documents with a positive grade, i.e. the used length of `ranks` and `grades`. */
  count: number;
  /** 1-based ranks of the retrieved positively graded documents, strictly ascending. */
  ranks: Int32Array;
  /** Their grades (nDCG's linear gains), in the same order. */
  grades: Float64Array;
  /** Documents judged relevant for the query (grade >= RELEVANCE_LEVEL), retrieved or not. */
  totalRelevant: number;
  /** Every positive grade in the query's judgments, in descending order: the ideal ranking for nDCG. */
  idealGrades: Float64Array;
}

/**
 * pytrec_eval's `relevance_level` as MTEB uses it (the default, 1): a document counts as relevant for MAP,
 * recall, precision, success and MRR when its grade is at least this. nDCG uses any positive grade as its gain.
 */
export const RELEVANCE_LEVEL = 1;

/**
 * Puts the `count` candidate documents listed in `graded` (local indices into `scores`) in trec_eval's ranking
 * order and returns their 1-based ranks among all `size` retrieved documents.
 *
 * trec_eval orders by score descending, ties broken by document id descending in byte order (`comp_sim_docno`
 * in form_res_rels.c). A document ranks below every document that precedes it, so its rank is one plus their
 * number. With the graded documents sorted in ranking order, the graded documents a given document precedes
 * form a suffix of that list; one binary search per document finds where the suffix starts. That is
 * O(size * log count) with no sort of the full ranking, and documents scored below the lowest graded one,
 * usually most of them, are skipped after one comparison.
 *
 * `compareIds(a, b)` compares the ids of local documents a and b in byte order; it is called only on equal scores.
 * On return `graded[0..count)` is in ranking order and `ranks[0..count)` holds their ranks.
 */
export function rankGradedDocuments(
  size: number,
  scores: Float64Array,
  graded: Int32Array,
  count: number,
  compareIds: (a: number, b: number) => number,
  ranks: Int32Array,
): void {
  if (count === 0) return;
  const precedes = (a: number, b: number): boolean => {
    const scoreA = scores[a] as number;
    const scoreB = scores[b] as number;
    if (scoreA > scoreB) return true;
    if (scoreA < scoreB) return false;
    return a !== b && compareIds(a, b) > 0;
  };
  const sorted = Array.from(graded.subarray(0, count)).sort((a, b) =>
    a === b ? 0 : precedes(a, b) ? -1 : 1,
  );
  for (let index = 0; index < count; index++) graded[index] = sorted[index] as number;

  // starts[m] counts the documents whose suffix of preceded graded documents starts at m.
  ranks.fill(0, 0, count);
  const lowest = scores[graded[count - 1] as number] as number;
  for (let document = 0; document < size; document++) {
    if ((scores[document] as number) < lowest) continue;
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (precedes(document, graded[middle] as number)) high = middle;
      else low = middle + 1;
    }
    if (low < count) ranks[low] = (ranks[low] as number) + 1;
  }
  let above = 0;
  for (let index = 0; index < count; index++) {
    above += ranks[index] as number;
    ranks[index] = above + 1;
  }
}
