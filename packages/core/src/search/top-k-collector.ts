/**
 * Keeps the best `k` documents of every query while chunks stream past, stored flat in typed arrays
 * so a million entries cost no objects.
 *
 * Each query has room for k entries plus some slack. An offer that may still enter is appended;
 * when the room is full (or the caller asks, `tighten`), the query is cut back to its best k by one
 * selection, and its threshold becomes the k-th best score. Appending costs O(1) and a cut O(room),
 * so each offer costs a few steps, where a bounded heap paid a sift of log₂ k levels over three
 * arrays per replacement (a top-1000 search offers millions: the heap's sifts took 0.36 s of a
 * 3.9 s run).
 *
 * "Better" is trec_eval's order: higher score, then higher tie rank (byte-greater document id),
 * then, only if a caller passes duplicate tie ranks, higher document index, so the result is
 * deterministic whatever the input. Scores are float32 values (the kernels' results).
 */
import { LargestValueSelector } from "./largest-value-selector.js";

/** finish() sorts keys with a 21-bit slot field: up to this k (2²¹), beyond it a comparison sort. */
const keySlotRange = 2 ** 21;
const maximumKeyedSlots = keySlotRange;
/** Entries beyond k a query may hold before it is cut back: k, within these limits. */
const minimumSlack = 16;
const maximumSlack = 4096;

export class TopKCollector {
  readonly queryCount: number;
  readonly k: number;
  /** Entries per query before a cut: k plus the slack. */
  private readonly room: number;
  private readonly scores: Float32Array;
  private readonly indices: Uint32Array;
  private readonly sizes: Uint32Array;
  private readonly documentTieRank: Uint32Array;
  /**
   * Per query, the k-th best score kept at the last cut, -Infinity before: a score below it can
   * never be kept, so hot loops compare against this array before calling `offer`.
   */
  readonly thresholds: Float64Array;

  private readonly keyedSortLimit: number;
  /** 1 for queries already ordered into the results (finishQueries). */
  private readonly finished: Uint8Array;
  private resultIndices: Uint32Array | undefined;
  private resultScores: Float32Array | undefined;
  private readonly selector = new LargestValueSelector();
  // Work space of finishByKeys.
  private readonly sortKeys: Float64Array;
  private readonly sortOrder: Uint32Array;
  private readonly keyBits = new Uint32Array(1);
  private readonly keyBitsAsFloat = new Float32Array(this.keyBits.buffer);

  /** keyedSortLimit exists for tests: the largest k that finish() sorts by keys. */
  constructor(
    queryCount: number,
    k: number,
    documentTieRank: Uint32Array,
    keyedSortLimit = maximumKeyedSlots,
  ) {
    this.keyedSortLimit = Math.min(keyedSortLimit, maximumKeyedSlots);
    this.queryCount = queryCount;
    this.k = k;
    this.room = k + Math.min(Math.max(k, minimumSlack), maximumSlack);
    this.scores = new Float32Array(queryCount * this.room);
    this.indices = new Uint32Array(queryCount * this.room);
    this.sizes = new Uint32Array(queryCount);
    this.documentTieRank = documentTieRank;
    // With k = 0 (no documents) nothing can enter.
    this.thresholds = new Float64Array(queryCount).fill(
      k === 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
    );
    this.finished = new Uint8Array(queryCount);
    const sortRoom = k <= this.keyedSortLimit ? k : 0;
    this.sortKeys = new Float64Array(sortRoom);
    this.sortOrder = new Uint32Array(sortRoom);
  }

  /** Whether the query holds at least k documents. */
  isFull(query: number): boolean {
    return (this.sizes[query] as number) >= this.k;
  }

  /**
   * The exact scores the query holds now (a view, valid until the next offer or cut): each belongs to
   * a different document, which lets a caller bound what a new document must score to enter.
   */
  keptScores(query: number): Float32Array {
    const base = query * this.room;
    return this.scores.subarray(base, base + (this.sizes[query] as number));
  }

  /** Whether finishQueries has already ordered this query's results. */
  isFinished(query: number): boolean {
    return this.finished[query] === 1;
  }

  /** Offers one scored document; it is kept if it is among the best k offered so far. */
  offer(query: number, score: number, documentIndex: number): void {
    if (this.finished[query] === 1) return;
    // Also refuses NaN, which compares false with everything.
    if (!(score >= (this.thresholds[query] as number))) return;
    const size = this.sizes[query] as number;
    const slot = query * this.room + size;
    this.scores[slot] = score;
    this.indices[slot] = documentIndex;
    this.sizes[query] = size + 1;
    if (size + 1 === this.room) this.cut(query);
  }

  /**
   * Cuts queries [from, to) back to their best k now, so that their thresholds are current: a
   * caller that prunes by the thresholds calls this after offering a batch.
   */
  tighten(from: number, to: number): void {
    for (let query = from; query < to; query++) {
      if (this.finished[query] === 1) continue;
      const size = this.sizes[query] as number;
      if (size > this.k || (size === this.k && this.thresholds[query] === Number.NEGATIVE_INFINITY)) {
        this.cut(query);
      }
    }
  }

  /**
   * Orders the kept documents of queries [from, to) now, best first, into the arrays `finish`
   * returns: a caller that knows these queries are complete (the last chunk has been offered) can
   * order them while other work is still going on. Offers to such a query are ignored afterwards.
   */
  finishQueries(from: number, to: number): void {
    const { indices, scores } = this.results();
    for (let query = from; query < to; query++) {
      if (this.finished[query] === 1) continue;
      if ((this.sizes[query] as number) > this.k) this.cut(query);
      if (this.k > this.keyedSortLimit) this.finishByComparison(query, indices, scores);
      else this.finishByKeys(query, indices, scores);
      this.finished[query] = 1;
      // Nothing can enter any more.
      this.thresholds[query] = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * The kept documents of every query, best first: `indices` and `scores` are queryCount × k
   * row-major (k = min(topK, document count)). Empties the collector: call it once, at the end.
   */
  finish(): { indices: Uint32Array; scores: Float32Array } {
    this.finishQueries(0, this.queryCount);
    return this.results();
  }

  private results(): { indices: Uint32Array; scores: Float32Array } {
    this.resultIndices ??= new Uint32Array(this.queryCount * this.k);
    this.resultScores ??= new Float32Array(this.queryCount * this.k);
    return { indices: this.resultIndices, scores: this.resultScores };
  }

  /**
   * Keeps the query's best k entries (it holds at least k) and sets its threshold to the k-th best
   * score. Entries above that score all stay; among those equal to it, the best by tie order fill
   * the remaining places.
   */
  private cut(query: number): void {
    const k = this.k;
    const base = query * this.room;
    const size = this.sizes[query] as number;
    const scores = this.scores;
    const indices = this.indices;
    const cutScore = this.selector.kthLargest(scores.subarray(base, base + size), size, k);
    let above = 0;
    let tied = 0;
    for (let slot = base; slot < base + size; slot++) {
      const score = scores[slot] as number;
      if (score > cutScore) above++;
      else if (score === cutScore) tied++;
    }
    // The tied entries that stay: all of them, or the best `k − above` by tie order.
    const keepTied = k - above;
    let worstTiedTieRank = 0;
    let worstTiedIndex = 0;
    if (tied > keepTied) {
      const tiedSlots: number[] = [];
      for (let slot = base; slot < base + size; slot++) {
        if (scores[slot] === cutScore) tiedSlots.push(slot);
      }
      tiedSlots.sort((left, right) => this.compareTies(indices[right] as number, indices[left] as number));
      const worst = indices[tiedSlots[keepTied - 1] as number] as number;
      worstTiedTieRank = this.documentTieRank[worst] as number;
      worstTiedIndex = worst;
    }
    let kept = base;
    for (let slot = base; slot < base + size; slot++) {
      const score = scores[slot] as number;
      if (score < cutScore) continue;
      if (score === cutScore && tied > keepTied) {
        const index = indices[slot] as number;
        const tieRank = this.documentTieRank[index] as number;
        if (tieRank < worstTiedTieRank || (tieRank === worstTiedTieRank && index < worstTiedIndex)) continue;
      }
      scores[kept] = score;
      indices[kept++] = indices[slot] as number;
    }
    this.sizes[query] = k;
    this.thresholds[query] = cutScore;
  }

  /** Tie order of two documents with equal scores: positive when `left` is better. */
  private compareTies(left: number, right: number): number {
    const leftRank = this.documentTieRank[left] as number;
    const rightRank = this.documentTieRank[right] as number;
    return leftRank !== rightRank ? leftRank - rightRank : left - right;
  }

  /**
   * Each kept entry becomes one float64 key: the score's float32 bits, made to sort as unsigned
   * integers in score order, times 2²¹, plus its slot. Keys are integers below 2⁵³, so the native
   * numeric sort of a Float64Array orders them exactly, far faster than a sort with a comparison
   * function. Equal scores then get their tie order in a short pass.
   */
  private finishByKeys(query: number, indices: Uint32Array, scores: Float32Array): void {
    const keys = this.sortKeys;
    const bits = this.keyBits;
    const bitsAsFloat = this.keyBitsAsFloat;
    const order = this.sortOrder;
    const base = query * this.room;
    const size = this.sizes[query] as number;
    for (let slot = 0; slot < size; slot++) {
      // + 0 turns −0 into +0: the cut treats them as equal scores, so must the key.
      bitsAsFloat[0] = (this.scores[base + slot] as number) + 0;
      const raw = bits[0] as number;
      const sortable = raw >= 0x80000000 ? ~raw >>> 0 : (raw | 0x80000000) >>> 0;
      keys[slot] = sortable * keySlotRange + slot;
    }
    const sorted = keys.subarray(0, size).sort();
    // Best first: the largest key first.
    for (let rank = 0; rank < size; rank++) {
      order[rank] = (sorted[size - 1 - rank] as number) % keySlotRange;
    }
    // Runs of equal scores: higher tie rank first, then higher document index (insertion sort; runs
    // are short).
    for (let rank = 1; rank < size; rank++) {
      const slot = order[rank] as number;
      const score = this.scores[base + slot] as number;
      const index = this.indices[base + slot] as number;
      let position = rank;
      while (position > 0) {
        const previous = order[position - 1] as number;
        if ((this.scores[base + previous] as number) !== score) break;
        if (this.compareTies(index, this.indices[base + previous] as number) < 0) break;
        order[position] = previous;
        position--;
      }
      order[position] = slot;
    }
    this.writeResults(query, order, size, indices, scores);
  }

  /** The same order by a comparison sort, for k beyond what a key's slot field holds. */
  private finishByComparison(query: number, indices: Uint32Array, scores: Float32Array): void {
    const base = query * this.room;
    const size = this.sizes[query] as number;
    const order = Uint32Array.from({ length: size }, (_, slot) => slot);
    order.sort((left, right) => {
      const leftScore = this.scores[base + left] as number;
      const rightScore = this.scores[base + right] as number;
      if (leftScore !== rightScore) return rightScore - leftScore;
      return this.compareTies(this.indices[base + right] as number, this.indices[base + left] as number);
    });
    this.writeResults(query, order, size, indices, scores);
  }

  private writeResults(
    query: number,
    order: Uint32Array,
    size: number,
    indices: Uint32Array,
    scores: Float32Array,
  ): void {
    const from = query * this.room;
    const to = query * this.k;
    for (let rank = 0; rank < size; rank++) {
      const slot = from + (order[rank] as number);
      indices[to + rank] = this.indices[slot] as number;
      scores[to + rank] = this.scores[slot] as number;
    }
    this.sizes[query] = 0;
  }
}
