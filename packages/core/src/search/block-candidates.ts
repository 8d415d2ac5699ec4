/**
 * The backend-assisted pruning of one query against one similarity block: which rows may still
 * enter the query's top k (scan-with-backend.ts explains the argument), kept per query until the
 * query block has seen the whole chunk.
 */
import { DatasetError } from "@embedeval/provider-contract";
import type { CandidatePairs } from "./candidate-pairs.js";
import type { ChunkScope } from "./chunk-scope.js";
import { LargestValueSelector } from "./largest-value-selector.js";
import type { TopKCollector } from "./top-k-collector.js";

/** One similarity block: queries [firstQuery, +queryCount) against chunk rows [firstRow, +rowCount). */
export interface BlockTask {
  firstQuery: number;
  queryCount: number;
  firstRow: number;
  rowCount: number;
  /** Where the block sits in the kernel's similarity memory (0 or one block further). */
  offset: number;
}

/**
 * Per query of a query block, the chunk rows that may still enter its top k with their approximate
 * scores, and a, the k-th largest approximate score of the chunk's rows seen so far.
 */
export class QueryCandidates {
  readonly rows: Uint32Array[] = [];
  readonly values: Float32Array[] = [];
  readonly counts: Uint32Array;
  /** a per query; -Infinity until k rows have been seen. */
  readonly cuts: Float64Array;
  /** Rows added since a was last computed: a is refreshed once enough have arrived. */
  readonly added: Uint32Array;
  constructor(
    readonly queryCount: number,
    readonly k: number,
  ) {
    this.counts = new Uint32Array(queryCount);
    this.cuts = new Float64Array(queryCount).fill(Number.NEGATIVE_INFINITY);
    this.added = new Uint32Array(queryCount);
    // Lists grow when needed; start small so that a very large k allocates only what is used.
    const capacity = Math.min(2 * k + 64, 4096);
    for (let query = 0; query < queryCount; query++) {
      this.rows.push(new Uint32Array(capacity));
      this.values.push(new Float32Array(capacity));
    }
  }

  append(
    offset: number,
    firstRow: number,
    rowList: Uint32Array,
    count: number,
    similarities: Float32Array,
    base: number,
  ): void {
    let rows = this.rows[offset] as Uint32Array;
    let values = this.values[offset] as Float32Array;
    const size = this.counts[offset] as number;
    if (size + count > rows.length) {
      const capacity = Math.max(2 * rows.length, size + count);
      const grownRows = new Uint32Array(capacity);
      const grownValues = new Float32Array(capacity);
      grownRows.set(rows.subarray(0, size));
      grownValues.set(values.subarray(0, size));
      this.rows[offset] = rows = grownRows;
      this.values[offset] = values = grownValues;
    }
    for (let index = 0; index < count; index++) {
      const row = rowList[index] as number;
      rows[size + index] = firstRow + row;
      values[size + index] = similarities[base + row] as number;
    }
    this.counts[offset] = size + count;
    this.added[offset] = (this.added[offset] as number) + count;
  }

  /** Recomputes a from the kept values and drops the rows below max(a − 2ε, lowerBound). */
  refresh(offset: number, twoEpsilon: number, lowerBound: number, scratch: CandidateScratch): void {
    const size = this.counts[offset] as number;
    this.added[offset] = 0;
    if (size < this.k) return;
    const values = this.values[offset] as Float32Array;
    const rows = this.rows[offset] as Uint32Array;
    const cut = Math.max(this.cuts[offset] as number, scratch.selector.kthLargest(values, size, this.k));
    this.cuts[offset] = cut;
    const bound = Math.max(cut - twoEpsilon, lowerBound);
    let kept = 0;
    for (let index = 0; index < size; index++) {
      const value = values[index] as number;
      if (value >= bound) {
        values[kept] = value;
        rows[kept++] = rows[index] as number;
      }
    }
    this.counts[offset] = kept;
  }

  /**
   * The query block has seen the whole chunk: hands the surviving rows to `pairs`. Besides the
   * chunk's a and the query's threshold T, the rows are cut by what the query already holds: each
   * kept score is exact and each candidate's S − ε is at most its exact score, all of different
   * documents, so if C is the k-th largest of those together, k documents score at least C exactly
   * and a row with S + ε < C cannot enter. C is at least both T and a − ε; it is higher when
   * the chunk holds some of the k best so far (about half of a second chunk's candidates are
   * then left out, where T alone keeps every row above the first chunk's k-th best).
   */
  finish(
    offset: number,
    query: number,
    collector: TopKCollector,
    epsilon: number,
    scratch: CandidateScratch,
    pairs: CandidatePairs,
  ): void {
    const lowerBound = (collector.thresholds[query] as number) - epsilon;
    if ((this.added[offset] as number) > 0) this.refresh(offset, 2 * epsilon, lowerBound, scratch);
    let bound = Math.max((this.cuts[offset] as number) - 2 * epsilon, lowerBound);
    const size = this.counts[offset] as number;
    const values = this.values[offset] as Float32Array;
    const rows = this.rows[offset] as Uint32Array;
    const held = collector.keptScores(query);
    if (held.length > 0 && held.length + size >= this.k) {
      const both = scratch.valuesFor(held.length + size);
      both.set(held);
      for (let index = 0; index < size; index++) {
        both[held.length + index] = float32Below((values[index] as number) - epsilon);
      }
      bound = Math.max(bound, scratch.selector.kthLargest(both, held.length + size, this.k) - epsilon);
    }
    let kept = 0;
    for (let index = 0; index < size; index++) {
      if ((values[index] as number) >= bound) rows[kept++] = rows[index] as number;
    }
    pairs.add(query, rows, kept);
    this.counts[offset] = 0;
  }
}

/**
 * A float32 value at most `value`: rounding to float32 moves a value by at most half a unit in the
 * last place, 2⁻²⁴ of it (2⁻¹⁵⁰ among subnormals), so stepping down by more than that first keeps
 * the result below `value` whatever the rounding.
 */
function float32Below(value: number): number {
  return Math.fround(value - Math.abs(value) * 2 ** -22 - 2 ** -140);
}

/** Buffers reused across queries: a sample of approximate scores and selection work space. */
export class CandidateScratch {
  readonly sample: Float32Array;
  private values: Float32Array;
  readonly selector = new LargestValueSelector();
  constructor(rows: number, k: number) {
    this.sample = new Float32Array(Math.min(rows, sampleRowsPerResult * k));
    this.values = new Float32Array(Math.max(rows, 2 * k + 64));
  }

  valuesFor(count: number): Float32Array {
    if (this.values.length < count) this.values = new Float32Array(Math.max(count, 2 * this.values.length));
    return this.values;
  }
}

/** The sample for a block's cut holds this many values per requested result. */
const sampleRowsPerResult = 8;
const minimumSampleStride = 8;

/** Fills rowList with the block rows whose approximate score is at least `cut`; returns how many. */
function gatherRows(scope: ChunkScope, offset: number, rows: number, cut: number): number {
  const found = scope.scorer.gather(offset, rows, cut);
  if (found < 0) throw new DatasetError("The search backend returned NaN similarities for finite vectors.");
  return found;
}

/**
 * One query against one block of rows, given its approximate scores at
 * `similarities[base..base+rowCount)`: keeps every row that may still enter the query's top k
 * (see scanWithBackend), and raises a.
 */
export function collectBlockCandidates(
  scope: ChunkScope,
  task: BlockTask,
  query: number,
  offset: number,
  epsilon: number,
  scratch: CandidateScratch,
  lists: QueryCandidates,
): void {
  const { collector } = scope;
  const k = collector.k;
  const rows = task.rowCount;
  const base = task.offset + offset * rows;
  const similarities = scope.scorer.similarities;
  const rowList = scope.scorer.rowList;
  const twoEpsilon = 2 * epsilon;
  const lowerBound = (collector.thresholds[query] as number) - epsilon;
  const knownCut = lists.cuts[offset] as number;
  // Once the query holds k documents (every chunk after the first), T − ε alone keeps about
  // k × block rows / rows seen before: the block's own k-th largest, which the sample below finds
  // at the cost of two selections, is rarely higher.
  if (knownCut !== Number.NEGATIVE_INFINITY || rows <= k || lowerBound !== Number.NEGATIVE_INFINITY) {
    const count = gatherRows(scope, base, rows, Math.max(knownCut - twoEpsilon, lowerBound));
    lists.append(offset, task.firstRow, rowList, count, similarities, base);
    // Refresh a once k rows have come in since the last time: the list then stays under about 2k
    // rows, and the refreshes cost O(rows gathered) in all.
    if ((lists.counts[offset] as number) >= k && (lists.added[offset] as number) >= k) {
      lists.refresh(offset, twoEpsilon, lowerBound, scratch);
    }
    return;
  }
  // a is not known yet and the block has more than k rows: its own k-th largest approximate score
  // is a valid a. Guess a value just below it from a strided sample, gather every row at or above
  // the guess, and select among those; a bad guess (fewer than k gathered) falls back to selecting
  // among all the block's rows.
  const sample = scratch.sample;
  // At least every 8th row, so the sample costs a fraction of the block.
  const stride = Math.max(minimumSampleStride, Math.floor(rows / sample.length));
  let sampleCount = 0;
  for (let row = 0; row < rows && sampleCount < sample.length; row += stride) {
    sample[sampleCount++] = similarities[base + row] as number;
  }
  // Aim a little above k rows: the expected count plus three standard deviations.
  const expected = k / stride;
  const rank = Math.min(sampleCount, Math.ceil(expected * 1.05 + 3 * Math.sqrt(expected) + 1));
  const guess = scratch.selector.kthLargest(sample, sampleCount, rank);
  let candidateCount = gatherRows(scope, base, rows, guess);
  let blockCut: number;
  if (candidateCount >= k) {
    // Every row scoring at least a is gathered (a >= guess), so a is the k-th largest gathered.
    const values = scratch.valuesFor(candidateCount);
    for (let index = 0; index < candidateCount; index++) {
      values[index] = similarities[base + (rowList[index] as number)] as number;
    }
    blockCut = scratch.selector.kthLargest(values, candidateCount, k);
  } else {
    blockCut = scratch.selector.kthLargest(similarities.subarray(base, base + rows), rows, k);
  }
  lists.cuts[offset] = blockCut;
  const bound = Math.max(blockCut - twoEpsilon, lowerBound);
  if (bound < guess || candidateCount < k) {
    // Rows in [a − 2ε, guess) were not gathered: gather again, by the final bound.
    candidateCount = gatherRows(scope, base, rows, bound);
  }
  let count = 0;
  for (let index = 0; index < candidateCount; index++) {
    const row = rowList[index] as number;
    if ((similarities[base + row] as number) >= bound) rowList[count++] = row;
  }
  lists.append(offset, task.firstRow, rowList, count, similarities, base);
  lists.added[offset] = 0;
}
