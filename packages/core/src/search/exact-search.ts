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

import { DatasetError, UsageError } from "@embedeval/provider-contract";
import { CancellationCheckpoint, throwIfAborted } from "./cancellation-checkpoint.js";
import type { DocumentSource } from "./document-source.js";
import type { KernelScorer, PortableKernel } from "./kernel-scorer.js";
import { createKernelScorer } from "./kernel-scorer.js";
import { LargestValueSelector } from "./largest-value-selector.js";
import type { SearchBackend } from "./search-backend.js";
import { float32DotErrorFactor } from "./search-backend.js";
import type { Similarity } from "./similarity.js";
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
  /**
   * Upper bound on the backend similarity blocks in memory (two at a time, each queries × rows × 4
   * bytes). Default 128 MiB: bigger blocks mean fewer blocks per chunk, so fewer candidates gathered
   * against a cut that is not yet final. 1,000 x 100,000 x 768, top-1000, best of five, alternating:
   * 64 MiB 1.76-1.99 s (peak RSS 1.08 GB), 128 MiB 1.65-2.08 s (1.23 GB), 256 MiB 1.57-1.83 s (1.63 GB).
   */
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
const defaultSimilarityBlockBytes = 128 * 1024 * 1024;
/** What the kernel's WebAssembly memory may use, under its 4 GiB limit. */
const wasmMemoryBudgetBytes = 3.5 * 1024 * 1024 * 1024;
/** Documents scored against all queries before moving on: a tile that stays in the CPU cache. */
const documentTileRows = 32;

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

/**
 * Scores are float32 sums of float32 products, and |q·d| and every partial sum are at most ‖q‖·‖d‖
 * (Cauchy-Schwarz): below half the largest float32 nothing overflows to ±∞ (which would make scores
 * NaN and drop documents). Cosine vectors are unit vectors; only "dot" can get there.
 */
function checkFloat32Range(largestQueryNorm: number, largestDocumentNorm: number): void {
  const largestFloat32 = 3.4028234663852886e38;
  if (largestQueryNorm * largestDocumentNorm < largestFloat32 / 2) return;
  throw new DatasetError(
    `Dot products of these vectors can exceed the float32 range: the largest query norm is ${largestQueryNorm.toExponential(3)} and the largest document norm ${largestDocumentNorm.toExponential(3)}.`,
    { hint: "Scale the vectors down (or use similarity: cosine); scores are float32, as in MTEB." },
  );
}

/**
 * Orders the results of queries [from, to) once every document has been offered to them. Each
 * query must then hold k documents: fewer means scores that compared false with everything (NaN),
 * whose empty slots would read as document 0 with score 0.
 */
function orderResults(collector: TopKCollector, from: number, to: number): void {
  for (let query = from; query < to; query++) {
    if (!collector.isFinished(query) && !collector.isFull(query)) {
      throw new DatasetError(
        `Query ${query} has fewer than ${collector.k} scored documents: some similarities were not numbers.`,
        { hint: "Check the vectors for NaN, or for values so large that their products overflow float32." },
      );
    }
  }
  collector.finishQueries(from, to);
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
    // WebAssembly memory holds at most 4 GiB: the queries, one chunk, the lists and the similarity
    // blocks must fit, so the default chunk shrinks when there are very many queries. (If even that
    // fails, or an explicit chunkRows does not fit, the JavaScript kernel runs: same results, slower.)
    const spareBytes = wasmMemoryBudgetBytes - queryCount * (4 * dimension + 8) - blockBytes;
    const fittingRows = Math.floor(spareBytes / (4 * dimension + 8));
    if (fittingRows >= 1024) chunkRows = Math.min(chunkRows, fittingRows);
  }
  const capacityRows = Math.max(1, Math.min(chunkRows, documents.rows));
  const blocks = blockShape(queryCount, capacityRows, blockBytes);
  // The fast path's similarity blocks (two: one being read while the backend fills the other) live
  // beside the kernel's buffers, so the backend writes into memory the kernel reads.
  const scorer = createKernelScorer(
    queryCount,
    dimension,
    capacityRows,
    options.portableKernel ?? "webassembly",
    backend === undefined ? 0 : blocksInFlight * blocks.queries * blocks.rows,
  );
  // Every path out (results, errors, cancellation) hands the kernel back: no request is in flight
  // by then (scanWithBackend settles them all before it throws).
  try {
    const statistics: SearchStatistics = {
      backend: backend?.name ?? "portable",
      kernel: scorer.kernel,
      documents: 0,
      chunks: 0,
      pairsScored: 0,
    };
    const queryNorms = prepareQueries(options, scorer.queries);
    let largestQueryNorm = 0;
    for (const norm of queryNorms) largestQueryNorm = Math.max(largestQueryNorm, norm);
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
      const scope: ChunkScope = {
        scorer,
        queryNorms,
        queryCount,
        dimension,
        documents: chunkVectors,
        start: chunk.start,
        rows: chunk.rows,
        largestDocumentNorm: normalisedRowNormBound,
        collector,
        statistics,
        signal,
        checkpoint,
        lastChunk: chunk.start + chunk.rows === documents.rows,
      };
      // With a backend and cosine similarity, rows are copied and normalised block by block just
      // before the backend needs them (scanWithBackend), so the first Gemm starts at once and the
      // rest of the normalising overlaps it. Otherwise the whole chunk is prepared first.
      const prepareByBlock = backend !== undefined && options.similarity === "cosine";
      if (!prepareByBlock) {
        chunkVectors.set(chunk.vectors);
        let firstNonFiniteRow: number;
        if (options.similarity === "cosine") {
          firstNonFiniteRow = scorer.normaliseDocuments(chunk.rows);
        } else {
          let largestNorm: number;
          ({ largestNorm, firstNonFiniteRow } = largestRowNorm(chunkVectors, chunk.rows, dimension));
          scope.largestDocumentNorm = largestNorm;
        }
        if (firstNonFiniteRow >= 0) throw nonFiniteError("document", chunk.start + firstNonFiniteRow);
        if (options.similarity === "dot") checkFloat32Range(largestQueryNorm, scope.largestDocumentNorm);
      }
      if (backend === undefined) await scanPortable(scope);
      else await scanWithBackend(scope, backend, blocks, prepareByBlock ? chunk.vectors : undefined);
      statistics.documents += chunk.rows;
      statistics.chunks += 1;
    }
    throwIfAborted(signal);
    if (expectedStart !== documents.rows) {
      throw new DatasetError(
        `The document source yielded ${expectedStart} rows but declared ${documents.rows}.`,
      );
    }
    orderResults(collector, 0, queryCount);
    return { queryCount, k, ...collector.finish(), statistics };
  } finally {
    scorer.release();
  }
}

/**
 * At most this many queries per similarity block. Fewer queries mean more rows per block, so fewer
 * blocks per chunk: each block a query sees adds candidates gathered against a cut that is not yet
 * final, and each costs a pass of selection work. 1,000 queries x 100,000 rows, top-1000, measured
 * (1-minute load average 3.4-4.5): 1,024 queries x 8,192 rows 1.6-2.0 s of JavaScript per search,
 * 512 x 16,384 1.6 s, 256 x 32,768 1.4-1.5 s; the Gemm is less efficient on thin blocks, so 512.
 */
const maximumBlockQueries = 512;
/** Similarity blocks requested ahead: the backend computes one while the last is examined. */
const blocksInFlight = 2;
/** At least this many document rows per similarity block (fewer only when the chunk is smaller). */
const minimumBlockRows = 256;

/**
 * The shape of one similarity block, at most half of `blockBytes` (two are in memory at once).
 * Blocks span many queries and a slice of the chunk's rows, rather than a few queries against the
 * whole chunk: the Gemm then reads the chunk from memory once per query block instead of once per
 * few queries (on the shared 2-core machine, 1,000 x 8,000 blocks ran the 1,000 x 100,000 x 768
 * Gemm in 0.73-0.75 s in two runs of three, 1.8 s in the third, where 167 x 100,000 blocks took
 * 1.17-1.22 s, 1.8 s in one run of six), and the first block can start as soon as its rows are ready.
 */
function blockShape(
  queryCount: number,
  capacityRows: number,
  blockBytes: number,
): { queries: number; rows: number } {
  const halfValues = Math.max(1, Math.floor(blockBytes / (4 * blocksInFlight)));
  // Split the queries evenly: 1,000 queries make two blocks of 500, not 512 and 488.
  const queryBlocks = Math.ceil(queryCount / maximumBlockQueries);
  const queryTarget = Math.max(1, Math.ceil(queryCount / Math.max(1, queryBlocks)));
  const rows = Math.min(capacityRows, Math.max(minimumBlockRows, Math.floor(halfValues / queryTarget)));
  const queries = Math.max(1, Math.min(queryTarget, Math.floor(halfValues / rows)));
  return { queries, rows };
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
  /** No chunk follows: a query block's results are final once its candidates are rescored. */
  lastChunk: boolean;
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

/** One similarity block: queries [firstQuery, +queryCount) against chunk rows [firstRow, +rowCount). */
interface BlockTask {
  firstQuery: number;
  queryCount: number;
  firstRow: number;
  rowCount: number;
  /** Where the block sits in the kernel's similarity memory (0 or one block further). */
  offset: number;
}

/**
 * The fast path. The backend computes approximate similarities S block by block (a block of queries
 * against a block of the chunk's rows); with ε = bound · ‖q‖ · max‖d‖ ≥ |S − exact|, for each query:
 *   - once the query's heap is full with worst kept score T, a document with S < T − ε has exact
 *     score below T, so it can never enter: it is skipped;
 *   - let a be the k-th largest S among the chunk's rows seen so far (once k have been seen): k
 *     documents score at least a − ε exactly, so a document with S < a − 2ε is beaten by k others
 *     and is skipped too. a only grows, so a row skipped early stays out for good; the kept rows
 *     are filtered again by the chunk's final a before rescoring.
 * Everything else is rescored exactly by the portable kernel and offered to the heaps. Strict
 * inequalities keep exact ties (which the tie rank decides) among the rescored candidates.
 *
 * The next block is requested before the current one is examined, so a backend that computes off
 * the JavaScript thread (search-onnx runs onnxruntime in a worker) overlaps the selection.
 */
async function scanWithBackend(
  scope: ChunkScope,
  backend: SearchBackend,
  blocks: { queries: number; rows: number },
  unpreparedVectors: Float32Array | undefined,
): Promise<void> {
  const { scorer, queryCount, dimension, documents, rows, signal, collector } = scope;
  // A source may yield an empty chunk: nothing to request.
  if (rows === 0) return;
  // The backend's error plus the kernel's own (a float32 dot product too): |S − kernel score| is at
  // most their sum times ‖q‖·‖d‖.
  const errorFactor = backend.scoreErrorFactor(dimension) + float32DotErrorFactor(dimension);
  // The relative bounds hold for normal numbers only. A product that falls among float32's subnormals
  // is off by up to 2⁻¹⁵⁰ in the kernel, and by up to 2⁻¹²⁶ in a backend that flushes them to zero
  // (the first term, for every product). A backend that also reads subnormal inputs as zero loses
  // Σ|qᵢdᵢ| over them, at most 2⁻¹²⁶·√n·‖d‖ (and the same for dᵢ): the second term, per query.
  const absoluteError = 2 * dimension * 2 ** -126;
  // ε per query for this chunk, computed once for all its blocks.
  const epsilons = Float64Array.from(
    scope.queryNorms,
    (queryNorm) =>
      errorFactor * queryNorm * scope.largestDocumentNorm +
      absoluteError +
      2 ** -126 * Math.sqrt(dimension) * (queryNorm + scope.largestDocumentNorm),
  );
  const blockRows = Math.min(blocks.rows, rows);
  const blockValues = blocks.queries * blocks.rows;
  const tasks: BlockTask[] = [];
  for (let firstQuery = 0; firstQuery < queryCount; firstQuery += blocks.queries) {
    for (let firstRow = 0; firstRow < rows; firstRow += blockRows) {
      tasks.push({
        firstQuery,
        queryCount: Math.min(blocks.queries, queryCount - firstQuery),
        firstRow,
        rowCount: Math.min(blockRows, rows - firstRow),
        offset: (tasks.length % blocksInFlight) * blockValues,
      });
    }
  }
  let preparedRows = unpreparedVectors === undefined ? rows : 0;
  const request = (task: BlockTask): Promise<Float32Array> => {
    const endRow = task.firstRow + task.rowCount;
    if (endRow > preparedRows && unpreparedVectors !== undefined) {
      // Cosine: copy and normalise the block's rows now, just before the backend reads them.
      documents.set(
        unpreparedVectors.subarray(preparedRows * dimension, endRow * dimension),
        preparedRows * dimension,
      );
      const firstNonFiniteRow = scorer.normaliseDocuments(endRow - preparedRows, preparedRows);
      if (firstNonFiniteRow >= 0) throw nonFiniteError("document", scope.start + firstNonFiniteRow);
      preparedRows = endRow;
    }
    const output = scorer.similarities.subarray(task.offset, task.offset + task.queryCount * task.rowCount);
    const promise = backend.similarities({
      queries: scorer.queries.subarray(
        task.firstQuery * dimension,
        (task.firstQuery + task.queryCount) * dimension,
      ),
      queryCount: task.queryCount,
      documents: documents.subarray(task.firstRow * dimension, endRow * dimension),
      documentCount: task.rowCount,
      dimension,
      signal,
      output,
    });
    // Awaited in order below; until then a failure must not count as unhandled.
    promise.catch(() => {});
    return promise.then((similarities) => {
      if (similarities.length !== task.queryCount * task.rowCount) {
        throw new DatasetError(
          `Search backend ${backend.name} returned ${similarities.length} similarities for ${task.queryCount} × ${task.rowCount}.`,
        );
      }
      // A backend that could not write into `output` returned its own array: bring it to the kernel.
      if (similarities !== output) output.set(similarities);
      return output;
    });
  };

  const scratch = new CandidateScratch(blockRows, collector.k);
  const pairs = new CandidatePairs(rows, blocks.queries * Math.min(rows, collector.k + 64));
  let lists = new QueryCandidates(0, 0);
  // Two requests in flight: the backend computes block i + 1 while block i is examined.
  const inFlight: Promise<Float32Array>[] = [];
  const settleAll = () => Promise.allSettled(inFlight);
  try {
    for (let index = 0; index < Math.min(blocksInFlight, tasks.length); index++)
      inFlight.push(request(tasks[index] as BlockTask));
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index] as BlockTask;
      await (inFlight.shift() as Promise<Float32Array>);
      await scope.checkpoint.check();
      if (task.firstRow === 0) lists = new QueryCandidates(task.queryCount, collector.k);
      for (let offset = 0; offset < task.queryCount; offset++) {
        const query = task.firstQuery + offset;
        collectBlockCandidates(scope, task, query, offset, epsilons[query] as number, scratch, lists);
      }
      // The block's memory is free again: ask for the block after next into it.
      const next = tasks[index + blocksInFlight];
      if (next !== undefined) inFlight.push(request(next));
      if (task.firstRow + task.rowCount === rows) {
        // The query block has seen the whole chunk: keep what may still enter the top k.
        for (let offset = 0; offset < task.queryCount; offset++) {
          const query = task.firstQuery + offset;
          lists.finish(offset, query, collector, epsilons[query] as number, scratch, pairs);
        }
        // Rescore the query block's candidates now, while the backend computes the next query
        // block's first similarities, rather than all at the end when the backend is idle.
        rescorePairs(scope, pairs);
        // Order the block's results now too, while the backend is still busy.
        if (scope.lastChunk) orderResults(collector, task.firstQuery, task.firstQuery + task.queryCount);
      }
    }
  } catch (error) {
    await settleAll();
    throw error;
  }
}

/**
 * Per query of a query block, the chunk rows that may still enter its top k with their approximate
 * scores, and a, the k-th largest approximate score of the chunk's rows seen so far.
 */
class QueryCandidates {
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

  /** The query block has seen the whole chunk: hands the surviving rows to `pairs`. */
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
    const bound = Math.max((this.cuts[offset] as number) - 2 * epsilon, lowerBound);
    const size = this.counts[offset] as number;
    const values = this.values[offset] as Float32Array;
    const rows = this.rows[offset] as Uint32Array;
    let kept = 0;
    for (let index = 0; index < size; index++) {
      if ((values[index] as number) >= bound) rows[kept++] = rows[index] as number;
    }
    pairs.add(query, rows, kept);
    this.counts[offset] = 0;
  }
}

/**
 * The candidates of every query of a query block in a chunk, as (query, row) pairs, added query by
 * query. They are rescored once the query block has seen the whole chunk, grouped by row, so each candidate row is read from memory once
 * for all the queries that want it, instead of once per query (a top-1000 search rescores about a
 * million pairs).
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

/**
 * Scores the pairs row by row (a counting sort by row first), then offers them to the heaps in
 * the order they were added, query by query: each query's heap is then touched in one run and
 * stays in the CPU cache, where offering in row order would hop between a thousand heaps.
 */
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

/** Buffers reused across queries: a sample of approximate scores and selection work space. */
class CandidateScratch {
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
function collectBlockCandidates(
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
  if (knownCut !== Number.NEGATIVE_INFINITY || rows <= k) {
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
