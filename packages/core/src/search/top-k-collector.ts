/**
 * Keeps the best `k` documents of every query while chunks stream past: one bounded min-heap per
 * query, stored flat (queryCount × k) in typed arrays so a million entries cost no objects.
 *
 * "Better" is trec_eval's order: higher score, then higher tie rank (byte-greater document id),
 * then, only if a caller passes duplicate tie ranks, higher document index, so the result is
 * deterministic whatever the input.
 */
/** finish() sorts keys with a 21-bit slot field: up to this k (2²¹), beyond it a heap sort. */
const keySlotRange = 2 ** 21;
const maximumKeyedSlots = keySlotRange;

export class TopKCollector {
  readonly queryCount: number;
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly indices: Uint32Array;
  private readonly tieRanks: Uint32Array;
  private readonly sizes: Uint32Array;
  private readonly documentTieRank: Uint32Array;
  /**
   * Per query, the worst kept score once its heap is full, -Infinity before: a score below it can
   * never be kept, so hot loops compare against this array before calling `offer`.
   */
  readonly thresholds: Float64Array;

  private readonly keyedSortLimit: number;
  /** 1 for queries already ordered into the results (finishQueries). */
  private readonly finished: Uint8Array;
  private resultIndices: Uint32Array | undefined;
  private resultScores: Float32Array | undefined;
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
    this.scores = new Float64Array(queryCount * k);
    this.indices = new Uint32Array(queryCount * k);
    this.tieRanks = new Uint32Array(queryCount * k);
    this.sizes = new Uint32Array(queryCount);
    this.documentTieRank = documentTieRank;
    this.thresholds = new Float64Array(queryCount).fill(Number.NEGATIVE_INFINITY);
    this.finished = new Uint8Array(queryCount);
    const sortRoom = k <= this.keyedSortLimit ? k : 0;
    this.sortKeys = new Float64Array(sortRoom);
    this.sortOrder = new Uint32Array(sortRoom);
  }

  isFull(query: number): boolean {
    return this.sizes[query] === this.k;
  }

  /** Whether finishQueries has already ordered this query's results. */
  isFinished(query: number): boolean {
    return this.finished[query] === 1;
  }

  /** Offers one scored document; keeps it if it beats the worst kept one. */
  offer(query: number, score: number, documentIndex: number): void {
    if (this.finished[query] === 1) return;
    const k = this.k;
    const base = query * k;
    const size = this.sizes[query] as number;
    const tieRank = this.documentTieRank[documentIndex] as number;
    if (size < k) {
      this.siftUp(base, size, score, tieRank, documentIndex);
      this.sizes[query] = size + 1;
      if (size + 1 === k) this.thresholds[query] = this.scores[base] as number;
      return;
    }
    const worstScore = this.scores[base] as number;
    if (score < worstScore) return;
    if (score === worstScore) {
      const worstTieRank = this.tieRanks[base] as number;
      if (tieRank < worstTieRank) return;
      if (tieRank === worstTieRank && documentIndex <= (this.indices[base] as number)) return;
    }
    this.siftDown(base, score, tieRank, documentIndex);
    this.thresholds[query] = this.scores[base] as number;
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
      if (this.k > this.keyedSortLimit) this.finishByHeapSort(query, indices, scores);
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
   * Each kept entry becomes one float64 key: the score's float32 bits, made to sort as unsigned
   * integers in score order, times 2²¹, plus its slot. Keys are integers below 2⁵³, so the native
   * numeric sort of a Float64Array orders them exactly, far faster than popping a heap with
   * comparisons over three arrays. Equal scores then get their tie order in a short pass.
   */
  private finishByKeys(query: number, indices: Uint32Array, scores: Float32Array): void {
    const k = this.k;
    const keys = this.sortKeys;
    const bits = this.keyBits;
    const bitsAsFloat = this.keyBitsAsFloat;
    const order = this.sortOrder;
    const base = query * k;
    const size = this.sizes[query] as number;
    for (let slot = 0; slot < size; slot++) {
      // + 0 turns −0 into +0: the heap treats them as equal scores, so must the key.
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
      let position = rank;
      while (position > 0) {
        const previous = order[position - 1] as number;
        if ((this.scores[base + previous] as number) !== score) break;
        if (
          this.isWorse(
            score,
            this.tieRanks[base + slot] as number,
            this.indices[base + slot] as number,
            base + previous,
          )
        ) {
          break;
        }
        order[position] = previous;
        position--;
      }
      order[position] = slot;
    }
    for (let rank = 0; rank < size; rank++) {
      const slot = base + (order[rank] as number);
      indices[base + rank] = this.indices[slot] as number;
      scores[base + rank] = this.scores[slot] as number;
    }
    this.sizes[query] = 0;
  }

  /** The same order by heap sort, for k beyond what a key's slot field holds. */
  private finishByHeapSort(query: number, indices: Uint32Array, scores: Float32Array): void {
    const base = query * this.k;
    // Heap sort: the root is the worst kept entry; pop it into the last free rank, repeatedly.
    // This empties the query's heap, so finish() is called once.
    for (let size = this.sizes[query] as number; size > 0; size--) {
      indices[base + size - 1] = this.indices[base] as number;
      scores[base + size - 1] = this.scores[base] as number;
      const last = base + size - 1;
      this.siftDown(
        base,
        this.scores[last] as number,
        this.tieRanks[last] as number,
        this.indices[last] as number,
        size - 1,
      );
    }
    this.sizes[query] = 0;
  }

  private isWorse(score: number, tieRank: number, documentIndex: number, slot: number): boolean {
    const other = this.scores[slot] as number;
    if (score !== other) return score < other;
    const otherTie = this.tieRanks[slot] as number;
    if (tieRank !== otherTie) return tieRank < otherTie;
    return documentIndex < (this.indices[slot] as number);
  }

  private place(slot: number, score: number, tieRank: number, documentIndex: number): void {
    this.scores[slot] = score;
    this.tieRanks[slot] = tieRank;
    this.indices[slot] = documentIndex;
  }

  private move(from: number, to: number): void {
    this.scores[to] = this.scores[from] as number;
    this.tieRanks[to] = this.tieRanks[from] as number;
    this.indices[to] = this.indices[from] as number;
  }

  private siftUp(
    base: number,
    position: number,
    score: number,
    tieRank: number,
    documentIndex: number,
  ): void {
    let child = position;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.isWorse(score, tieRank, documentIndex, base + parent)) break;
      this.move(base + parent, base + child);
      child = parent;
    }
    this.place(base + child, score, tieRank, documentIndex);
  }

  private siftDown(base: number, score: number, tieRank: number, documentIndex: number, size = this.k): void {
    if (size === 0) return;
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        this.isWorse(
          this.scores[base + right] as number,
          this.tieRanks[base + right] as number,
          this.indices[base + right] as number,
          base + child,
        )
      ) {
        child = right;
      }
      if (!this.isWorseThanSlot(base + child, score, tieRank, documentIndex)) break;
      this.move(base + child, base + parent);
      parent = child;
    }
    this.place(base + parent, score, tieRank, documentIndex);
  }

  /** True when the entry in `slot` is worse than the given one. */
  private isWorseThanSlot(slot: number, score: number, tieRank: number, documentIndex: number): boolean {
    const other = this.scores[slot] as number;
    if (other !== score) return other < score;
    const otherTie = this.tieRanks[slot] as number;
    if (otherTie !== tieRank) return otherTie < tieRank;
    return (this.indices[slot] as number) < documentIndex;
  }
}
