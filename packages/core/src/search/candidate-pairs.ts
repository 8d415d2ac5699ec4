import type { ChunkScope } from "./chunk-scope.js";

/**
 * The candidates of every query of a query block in a chunk, as (query, row) pairs, added query by
 * query. They are rescored once the query block has seen the whole chunk, grouped by row, so each candidate row is read from memory once
 * for all the queries that want it, instead of once per query (a top-1000 search rescores about a
 * million pairs).
 */
export class CandidatePairs {
  queries: Uint32Array;
  rows: Uint32Array;
  count = 0;
  readonly chunkRows: number;
  constructor(chunkRows: number, capacity: number) {
    this.chunkRows = chunkRows;
    this.queries = new Uint32Array(Math.max(16, capacity));
    this.rows = new Uint32Array(Math.max(16, capacity));
  }

  add(query: number, rowList: Uint32Array, count: number): void {
    if (this.count + count > this.queries.length) {
      const capacity = Math.max(2 * this.queries.length, this.count + count);
      const queries = new Uint32Array(capacity);
      const rows = new Uint32Array(capacity);
      queries.set(this.queries.subarray(0, this.count));
      rows.set(this.rows.subarray(0, this.count));
      this.queries = queries;
      this.rows = rows;
    }
    this.queries.fill(query, this.count, this.count + count);
    this.rows.set(rowList.subarray(0, count), this.count);
    this.count += count;
  }
}

/**
 * Scores the pairs row by row (a counting sort by row first), then offers them to the heaps in
 * the order they were added, query by query: each query's heap is then touched in one run and
 * stays in the CPU cache, where offering in row order would hop between a thousand heaps.
 */
export function rescorePairs(scope: ChunkScope, pairs: CandidatePairs): void {
  const { scorer, collector, start } = scope;
  const rowCount = pairs.chunkRows;
  const firstPair = new Uint32Array(rowCount + 1);
  for (let index = 0; index < pairs.count; index++) {
    const slot = (pairs.rows[index] as number) + 1;
    firstPair[slot] = (firstPair[slot] as number) + 1;
  }
  for (let row = 0; row < rowCount; row++)
    firstPair[row + 1] = (firstPair[row + 1] as number) + (firstPair[row] as number);
  const next = firstPair.slice(0, rowCount);
  const pairsByRow = new Uint32Array(pairs.count);
  for (let index = 0; index < pairs.count; index++) {
    const row = pairs.rows[index] as number;
    pairsByRow[(next[row] as number)++] = index;
  }
  const scores = new Float32Array(pairs.count);
  const queryList = scorer.rowList;
  const output = scorer.output;
  for (let row = 0; row < rowCount; row++) {
    const from = firstPair[row] as number;
    const count = (firstPair[row + 1] as number) - from;
    if (count === 0) continue;
    // A plain loop: rows have a handful of queries each, too few to pay for a subarray per row.
    for (let index = 0; index < count; index++) {
      queryList[index] = pairs.queries[pairsByRow[from + index] as number] as number;
    }
    scorer.scoreQueryList(row, count);
    for (let index = 0; index < count; index++)
      scores[pairsByRow[from + index] as number] = output[index] as number;
  }
  const thresholds = collector.thresholds;
  for (let index = 0; index < pairs.count; index++) {
    const query = pairs.queries[index] as number;
    const score = scores[index] as number;
    if (score >= (thresholds[query] as number))
      collector.offer(query, score, start + (pairs.rows[index] as number));
  }
  scope.statistics.pairsScored += pairs.count;
  pairs.count = 0;
}
