/**
 * Exact k-nearest-neighbour search, the way MTEB ranks documents (similarity matrix, top k), with
 * trec_eval's tie order and bounded memory.
 *
 * Every reported score comes from `dotProduct` (similarity-kernel.ts). Without a backend, every
 * (query, document) pair is scored by it (the portable path). With a backend, its fast
 * approximate similarities only rule documents out: a document is skipped only when its
 * approximate score plus the backend's error bound is below a score already certain to be in the
 * top k; everything else is rescored by `dotProduct`. So both paths rank by identical numbers.
 * docs/decisions/0001-exact-search-engine.md explains the argument.
 */
import type { Similarity } from "../config/config-types.js";
import { CancelledError, DatasetError, UsageError } from "../contract/errors.js";
import type { DocumentSource } from "./document-source.js";
import type { KernelScorer, PortableKernel } from "./kernel-scorer.js";
import { createKernelScorer } from "./kernel-scorer.js";
import type { SearchBackend } from "./search-backend.js";
import { largestRowNorm, normalisedRowNormBound, normaliseRows, rowNorm } from "./similarity-kernel.js";
import { TopKCollector } from "./top-k-collector.js";

export interface ExactSearchOptions {
  /** queryCount × dimension float32 values, row-major. */
  queries: Float32Array;
  queryCount: number;
  dimension: number;
  documents: DocumentSource;
  /** How many documents to return per query (MTEB: 1000); fewer when the corpus is smaller. */
  topK: number;
  /** "cosine" L2-normalises queries and documents in float32 first, like MTEB; "dot" does not. */
  similarity: Similarity;
  /**
   * Per document, its tie rank: a higher rank wins equal scores. For trec_eval's order use
   * `tieRanksFromIds(documentIds)` (ids sorted by bytes; byte-greater ids win ties).
   */
  documentTieRank: Uint32Array;
  signal?: AbortSignal;
  /** A fast similarity backend; without one the portable kernel scores every pair. */
  backend?: SearchBackend;
  /**
   * Document rows per chunk. Larger chunks mean fewer rescored candidates on the fast path and more
   * memory (the chunk is copied into the kernel's memory, normalised there for cosine; a disk
   * source also holds two read buffers of this size). Default: 512 MiB of vectors.
   */
  chunkRows?: number;
  /**
   * The portable kernel: "webassembly" (SIMD, the default; falls back to "javascript" where
   * unavailable) or "javascript". Both give identical numbers.
   */
  portableKernel?: PortableKernel;
  /** Upper bound on one backend similarity block (queries × chunk rows × 4 bytes). Default 64 MiB. */
  similarityBlockBytes?: number;
}

export interface SearchStatistics {
  backend: string;
  /** The portable kernel that computed the scores. */
  kernel: PortableKernel;
  documents: number;
  chunks: number;
  /** Pairs scored by the portable kernel (all pairs without a backend; the candidates with one). */
  pairsScored: number;
}

export interface SearchResult {
  queryCount: number;
  /** Results per query: min(topK, document count). */
  k: number;
  /** queryCount × k document indices, best first in trec_eval order. */
  indices: Uint32Array;
  /** queryCount × k scores (float32 values), matching `indices`. */
  scores: Float32Array;
  statistics: SearchStatistics;
}

const defaultChunkBytes = 512 * 1024 * 1024;
const defaultSimilarityBlockBytes = 64 * 1024 * 1024;
/** What the kernel's WebAssembly memory may use, under its 4 GiB limit. */
const wasmMemoryBudgetBytes = 3.5 * 1024 * 1024 * 1024;
/** The portable scan gives the event loop a turn this often, so an abort signal is noticed. */
const yieldIntervalMilliseconds = 50;
/** Documents scored against all queries before moving on: a tile that stays in the CPU cache. */
const documentTileRows = 32;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError("The search was cancelled.");
}

/**
 * Gives the event loop a turn every `yieldIntervalMilliseconds` of work, then checks the signal:
 * JavaScript cannot see an abort (a timer, Ctrl-C) while a synchronous loop runs, and chunks from
 * an async generator arrive through microtasks, which never let timers run either.
 */
class CancellationCheckpoint {
  private lastYield = performance.now();
  constructor(private readonly signal: AbortSignal | undefined) {}

  async check(): Promise<void> {
    if (performance.now() - this.lastYield > yieldIntervalMilliseconds) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    throwIfAborted(this.signal);
  }
}

function validate(options: ExactSearchOptions): void {
  const { queries, queryCount, dimension, documents, topK, documentTieRank } = options;
  if (!Number.isInteger(dimension) || dimension <= 0) {
    throw new UsageError(`Search dimension must be a positive integer, got ${dimension}.`);
  }
  if (!Number.isInteger(queryCount) || queryCount < 0 || queries.length !== queryCount * dimension) {
    throw new UsageError(
      `The query matrix holds ${queries.length} values, but ${queryCount} queries of dimension ${dimension} need ${queryCount * dimension}.`,
    );
  }
  if (documents.dimension !== dimension) {
    throw new DatasetError(
      `Document vectors have dimension ${documents.dimension} but query vectors have dimension ${dimension}.`,
      { hint: "Embed queries and documents with the same model and the same `dimensions` option." },
    );
  }
  if (!Number.isInteger(topK) || topK < 1)
    throw new UsageError(`topK must be a positive integer, got ${topK}.`);
  if (documentTieRank.length !== documents.rows) {
    throw new UsageError(
      `documentTieRank has ${documentTieRank.length} entries for ${documents.rows} documents: one per document is needed.`,
      { hint: "Build it with tieRanksFromIds(documentIds)." },
    );
  }
  if (options.chunkRows !== undefined && (!Number.isInteger(options.chunkRows) || options.chunkRows < 1)) {
    throw new UsageError(`chunkRows must be a positive integer, got ${options.chunkRows}.`);
  }
}

/** Copies the queries into the kernel's memory (normalised for cosine); returns their norms. */
function prepareQueries(options: ExactSearchOptions, target: Float32Array): Float64Array {
  const { queries, queryCount, dimension } = options;
  if (options.similarity === "cosine") {
    const { firstNonFiniteRow } = normaliseRows(queries, target, queryCount, dimension);
    if (firstNonFiniteRow >= 0) throw nonFiniteError("query", firstNonFiniteRow);
  } else {
    target.set(queries);
  }
  const norms = new Float64Array(queryCount);
  for (let query = 0; query < queryCount; query++) {
    const norm = rowNorm(target, query * dimension, dimension);
    if (!Number.isFinite(norm)) throw nonFiniteError("query", query);
    norms[query] = norm;
  }
  return norms;
}

function nonFiniteError(kind: "query" | "document", row: number): DatasetError {
  return new DatasetError(`The ${kind} vector at position ${row} holds a NaN or infinite value.`, {
    hint: "The embedding provider returned a broken vector: clear its cache entry and embed again.",
  });
}

export async function exactSearch(options: ExactSearchOptions): Promise<SearchResult> {
  validate(options);
  throwIfAborted(options.signal);
  const { queryCount, dimension, documents, signal, backend } = options;
  const k = Math.min(options.topK, documents.rows);
  const collector = new TopKCollector(queryCount, k, options.documentTieRank);
  const blockBytes = options.similarityBlockBytes ?? defaultSimilarityBlockBytes;
  let chunkRows = options.chunkRows ?? Math.max(1, Math.floor(defaultChunkBytes / (4 * dimension)));
  if (options.chunkRows === undefined) {
    // WebAssembly memory holds at most 4 GiB: the queries, one chunk, the lists and a similarity block
    // must fit, so the default chunk shrinks when there are very many queries. (If even that fails,
    // or an explicit chunkRows does not fit, the JavaScript kernel runs: same results, slower.)
    const spareBytes = wasmMemoryBudgetBytes - queryCount * (4 * dimension + 8) - blockBytes;
    const fittingRows = Math.floor(spareBytes / (4 * dimension + 8));
    if (fittingRows >= 1024) chunkRows = Math.min(chunkRows, fittingRows);
  }
  const capacityRows = Math.max(1, Math.min(chunkRows, documents.rows));
  // The fast path's similarity block lives beside the kernel's buffers, so the backend writes into
  // memory the kernel reads: at most similarityBlockBytes, and at least one query against a chunk.
  const blockQueries = Math.max(1, Math.min(queryCount, Math.floor(blockBytes / (4 * capacityRows))));
  const scorer = createKernelScorer(
    queryCount,
    dimension,
    capacityRows,
    options.portableKernel ?? "webassembly",
    backend === undefined ? 0 : blockQueries * capacityRows,
  );
  const statistics: SearchStatistics = {
    backend: backend?.name ?? "portable",
    kernel: scorer.kernel,
    documents: 0,
    chunks: 0,
    pairsScored: 0,
  };
  const queryNorms = prepareQueries(options, scorer.queries);
  if (k === 0 || queryCount === 0) return { queryCount, k, ...collector.finish(), statistics };

  let expectedStart = 0;
  const checkpoint = new CancellationCheckpoint(signal);
  for await (const chunk of documents.chunks({ maxRows: chunkRows, signal })) {
    await checkpoint.check();
    if (
      chunk.start !== expectedStart ||
      chunk.rows > capacityRows ||
      chunk.vectors.length !== chunk.rows * dimension
    ) {
      throw new DatasetError(
        `The document source yielded rows ${chunk.start}..${chunk.start + chunk.rows - 1} (${chunk.vectors.length} values) where at most ${capacityRows} rows from row ${expectedStart} were asked for.`,
      );
    }
    expectedStart += chunk.rows;
    const chunkVectors = scorer.documents.subarray(0, chunk.vectors.length);
    let largestNorm: number;
    let firstNonFiniteRow: number;
    if (options.similarity === "cosine") {
      chunkVectors.set(chunk.vectors);
      firstNonFiniteRow = scorer.normaliseDocuments(chunk.rows);
      largestNorm = normalisedRowNormBound;
    } else {
      chunkVectors.set(chunk.vectors);
      ({ largestNorm, firstNonFiniteRow } = largestRowNorm(chunkVectors, chunk.rows, dimension));
    }
    if (firstNonFiniteRow >= 0) throw nonFiniteError("document", chunk.start + firstNonFiniteRow);
    const scope: ChunkScope = {
      scorer,
      queryNorms,
      queryCount,
      dimension,
      documents: chunkVectors,
      start: chunk.start,
      rows: chunk.rows,
      largestDocumentNorm: largestNorm,
      collector,
      statistics,
      signal,
      checkpoint,
    };
    if (backend === undefined) await scanPortable(scope);
    else await scanWithBackend(scope, backend, blockQueries);
    statistics.documents += chunk.rows;
    statistics.chunks += 1;
  }
  throwIfAborted(signal);
  if (expectedStart !== documents.rows) {
    throw new DatasetError(
      `The document source yielded ${expectedStart} rows but declared ${documents.rows}.`,
    );
  }
  return { queryCount, k, ...collector.finish(), statistics };
}

interface ChunkScope {
  scorer: KernelScorer;
  queryNorms: Float64Array;
  queryCount: number;
  dimension: number;
  /** The chunk as the kernel and the backend see it (normalised for cosine). */
  documents: Float32Array;
  start: number;
  rows: number;
  largestDocumentNorm: number;
  collector: TopKCollector;
  statistics: SearchStatistics;
  signal: AbortSignal | undefined;
  checkpoint: CancellationCheckpoint;
}

/** Scores every pair: per tile of documents that stays in the CPU cache, every query in turn. */
async function scanPortable(scope: ChunkScope): Promise<void> {
  const { scorer, queryCount, start, rows, collector, checkpoint } = scope;
  const thresholds = collector.thresholds;
  const output = scorer.output;
  for (let tileStart = 0; tileStart < rows; tileStart += documentTileRows) {
    const tileRows = Math.min(documentTileRows, rows - tileStart);
    for (let query = 0; query < queryCount; query++) {
      scorer.scoreRows(query, tileStart, tileRows);
      for (let index = 0; index < tileRows; index++) {
        const score = output[index] as number;
        if (score >= (thresholds[query] as number)) collector.offer(query, score, start + tileStart + index);
      }
    }
    await checkpoint.check();
  }
  scope.statistics.pairsScored += queryCount * rows;
}

/**
 * The fast path. For each block of queries the backend computes approximate similarities S against
 * the chunk; with ε = bound · ‖q‖ · max‖d‖ ≥ |S − exact|, for each query:
 *   - once the query's heap is full with worst kept score T, a document with S < T − ε has exact
 *     score below T, so it can never enter: skip it; the rest are rescored exactly and offered;
 *   - while the heap still has room and the chunk has more than k rows, let a be the k-th largest
 *     S in the chunk: k documents of the chunk score at least a − ε exactly, so a document with
 *     S < a − 2ε is beaten by k others and is skipped too.
 * Strict inequalities keep exact ties (which the tie rank decides) among the rescored candidates.
 */
async function scanWithBackend(
  scope: ChunkScope,
  backend: SearchBackend,
  blockQueries: number,
): Promise<void> {
  const { scorer, queryCount, dimension, documents, rows, signal } = scope;
  const errorFactor = backend.scoreErrorFactor(dimension) + 2 ** -24 + dimension * 2 ** -52;
  const scratch = new CandidateScratch(rows, scope.collector.k);
  const pairs = new CandidatePairs(
    rows,
    Math.min(maximumDeferredPairs, queryCount * Math.min(rows, scope.collector.k + 64)),
  );
  for (let first = 0; first < queryCount; first += blockQueries) {
    const count = Math.min(blockQueries, queryCount - first);
    const output = scorer.similarities.subarray(0, count * rows);
    const similarities = await backend.similarities({
      queries: scorer.queries.subarray(first * dimension, (first + count) * dimension),
      queryCount: count,
      documents,
      documentCount: rows,
      dimension,
      signal,
      output,
    });
    await scope.checkpoint.check();
    if (similarities.length !== count * rows) {
      throw new DatasetError(
        `Search backend ${backend.name} returned ${similarities.length} similarities for ${count} × ${rows}.`,
      );
    }
    // A backend that could not write into `output` returned its own array: bring it to the kernel.
    if (similarities !== output) output.set(similarities);
    for (let offset = 0; offset < count; offset++) {
      const query = first + offset;
      const epsilon = errorFactor * (scope.queryNorms[query] as number) * scope.largestDocumentNorm;
      rescoreCandidates(scope, query, offset * rows, epsilon, scratch, pairs);
    }
    // Many queries: rescore what has gathered so far, so the pairs stay within bounded memory.
    if (pairs.count >= maximumDeferredPairs) rescorePairs(scope, pairs);
  }
  rescorePairs(scope, pairs);
}

/** At most this many deferred (query, row) pairs (8 bytes each) are held before they are rescored. */
const maximumDeferredPairs = 8 * 1024 * 1024;

/**
 * The candidates of every query in a chunk, as (query, row) pairs. They are rescored after the
 * whole chunk, grouped by row, so each candidate row is read from memory once for all the queries
 * that want it, instead of once per query (a top-1000 search rescores about a million pairs).
 */
class CandidatePairs {
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

/** Scores the pairs row by row (a counting sort by row first) and offers them to the heaps. */
function rescorePairs(scope: ChunkScope, pairs: CandidatePairs): void {
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
  const queriesByRow = new Uint32Array(pairs.count);
  for (let index = 0; index < pairs.count; index++) {
    const row = pairs.rows[index] as number;
    queriesByRow[(next[row] as number)++] = pairs.queries[index] as number;
  }
  const thresholds = collector.thresholds;
  const queryList = scorer.rowList;
  const output = scorer.output;
  for (let row = 0; row < rowCount; row++) {
    const from = firstPair[row] as number;
    const count = (firstPair[row + 1] as number) - from;
    if (count === 0) continue;
    // A plain loop: rows have a handful of queries each, too few to pay for a subarray per row.
    for (let index = 0; index < count; index++) queryList[index] = queriesByRow[from + index] as number;
    scorer.scoreQueryList(row, count);
    for (let index = 0; index < count; index++) {
      const query = queryList[index] as number;
      const score = output[index] as number;
      if (score >= (thresholds[query] as number)) collector.offer(query, score, start + row);
    }
  }
  scope.statistics.pairsScored += pairs.count;
  pairs.count = 0;
}

/** Buffers reused across queries: a sample of approximate scores and the gathered candidates' values. */
class CandidateScratch {
  readonly sample: Float32Array;
  readonly values: Float32Array;
  readonly heap: Float32Array;
  constructor(rows: number, k: number) {
    this.sample = new Float32Array(Math.min(rows, sampleRowsPerResult * k));
    this.values = new Float32Array(rows);
    this.heap = new Float32Array(k);
  }
}

/** The sample for the first-chunk cut holds this many values per requested result. */
const sampleRowsPerResult = 8;

/**
 * Rearranges `values[0..count)` and returns its `rank`-th largest value (rank 1 = the largest):
 * quickselect with a median-of-three pivot.
 */
function kthLargest(values: Float32Array, count: number, rank: number): number {
  let low = 0;
  let high = count - 1;
  const target = rank - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const first = values[low] as number;
    const second = values[middle] as number;
    const third = values[high] as number;
    const pivot = Math.max(Math.min(first, second), Math.min(Math.max(first, second), third));
    let left = low;
    let right = high;
    while (left <= right) {
      while ((values[left] as number) > pivot) left++;
      while ((values[right] as number) < pivot) right--;
      if (left <= right) {
        const swap = values[left] as number;
        values[left] = values[right] as number;
        values[right] = swap;
        left++;
        right--;
      }
    }
    if (target <= right) high = right;
    else if (target >= left) low = left;
    else return values[target] as number;
  }
  return values[target] as number;
}

/** Fills rowList with the rows whose approximate score is at least `cut`; returns how many. */
function gatherRows(scope: ChunkScope, offset: number, cut: number): number {
  const found = scope.scorer.gather(offset, scope.rows, cut);
  if (found < 0) throw new DatasetError("The search backend returned NaN similarities for finite vectors.");
  return found;
}

/**
 * One query against one chunk, given its approximate scores at `similarities[offset..offset+rows)`:
 * rescore exactly every row that may still enter the query's top k (see scanWithBackend).
 */
function rescoreCandidates(
  scope: ChunkScope,
  query: number,
  offset: number,
  epsilon: number,
  scratch: CandidateScratch,
  pairs: CandidatePairs,
): void {
  const { rows, collector } = scope;
  const similarities = scope.scorer.similarities;
  const rowList = scope.scorer.rowList;
  const bound = (collector.thresholds[query] as number) - epsilon;
  if (collector.isFull(query) || rows <= collector.k) {
    pairs.add(query, rowList, gatherRows(scope, offset, bound));
    return;
  }
  // The query's heap still has room and the chunk has more than k rows. Find a, the k-th largest
  // approximate score of the chunk: guess a value just below it from a strided sample, gather every
  // row at or above the guess, and select a among those; a bad guess (fewer than k gathered) falls
  // back to a full pass with a heap.
  const k = collector.k;
  const twoEpsilon = 2 * epsilon;
  const sample = scratch.sample;
  const stride = Math.max(1, Math.floor(rows / sample.length));
  let sampleCount = 0;
  for (let row = 0; row < rows && sampleCount < sample.length; row += stride) {
    sample[sampleCount++] = similarities[offset + row] as number;
  }
  // Aim a little above k rows: the expected count plus three standard deviations.
  const expected = k / stride;
  const rank = Math.min(sampleCount, Math.ceil(expected * 1.05 + 3 * Math.sqrt(expected) + 1));
  const guess = kthLargest(sample, sampleCount, rank);
  let candidateCount = gatherRows(scope, offset, guess);
  let chunkCut: number;
  if (candidateCount >= k) {
    // Every row scoring at least a is gathered (a >= guess), so a is the k-th largest gathered.
    const values = scratch.values;
    for (let index = 0; index < candidateCount; index++) {
      values[index] = similarities[offset + (rowList[index] as number)] as number;
    }
    chunkCut = kthLargest(values, candidateCount, k);
  } else {
    chunkCut = kthLargestByHeap(similarities.subarray(offset, offset + rows), rows, k, scratch.heap);
  }
  const chunkBound = Math.max(chunkCut - twoEpsilon, bound);
  if (chunkBound < guess || candidateCount < k) {
    // Rows in [a − 2ε, guess) were not gathered: gather again, by the final bound.
    candidateCount = gatherRows(scope, offset, chunkBound);
  }
  let count = 0;
  for (let index = 0; index < candidateCount; index++) {
    const row = rowList[index] as number;
    if ((similarities[offset + row] as number) >= chunkBound) rowList[count++] = row;
  }
  pairs.add(query, rowList, count);
}

/** The k-th largest of `values[0..rows)` with a k-slot min-heap: one pass, any input order. */
function kthLargestByHeap(values: Float32Array, rows: number, k: number, heap: Float32Array): number {
  let heapSize = 0;
  for (let row = 0; row < rows; row++) {
    const value = values[row] as number;
    if (heapSize < k) {
      let child = heapSize++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if ((heap[parent] as number) <= value) break;
        heap[child] = heap[parent] as number;
        child = parent;
      }
      heap[child] = value;
    } else if (value > (heap[0] as number)) {
      let parent = 0;
      for (;;) {
        let child = 2 * parent + 1;
        if (child >= k) break;
        if (child + 1 < k && (heap[child + 1] as number) < (heap[child] as number)) child++;
        if ((heap[child] as number) >= value) break;
        heap[parent] = heap[child] as number;
        parent = child;
      }
      heap[parent] = value;
    }
  }
  return heap[0] as number;
}
