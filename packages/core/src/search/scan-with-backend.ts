import { DatasetError } from "@embedeval/provider-contract";
import {
  type BlockTask,
  CandidateScratch,
  collectBlockCandidates,
  QueryCandidates,
} from "./block-candidates.js";
import { CandidatePairs, rescorePairs } from "./candidate-pairs.js";
import type { ChunkScope } from "./chunk-scope.js";
import { sameValues } from "./same-values.js";
import type { SearchBackend } from "./search-backend.js";
import { float32DotErrorFactor } from "./search-backend.js";
import { nonFiniteError, orderResults } from "./search-checks.js";

/**
 * At most this many queries per similarity block. Fewer queries mean more rows per block, so fewer
 * blocks per chunk: each block a query sees adds candidates gathered against a cut that is not yet
 * final, and each costs a pass of selection work. 1,000 queries x 100,000 rows, top-1000, measured
 * (1-minute load average 3.4-4.5): 1,024 queries x 8,192 rows 1.6-2.0 s of JavaScript per search,
 * 512 x 16,384 1.6 s, 256 x 32,768 1.4-1.5 s; the Gemm is less efficient on thin blocks, so 512.
 */
const maximumBlockQueries = 512;
/**
 * Similarity blocks requested ahead: the backend computes them while the JavaScript thread examines
 * the last one. More than two let the backend run ahead while that thread rescores a query block's
 * candidates (about 0.1 s at top-1000) instead of going idle after two blocks. A cached 1,000 x
 * 100,000 x 768 `embedeval run`, top-1000 (onnxruntime timed in its worker): idle 0.85-0.91 s of a
 * 2.1 s search with two, 0.60 s of 1.8 s with four; six did no better than four and cost 29 MB more.
 */
export const blocksInFlight = 4;
/** At least this many document rows per similarity block (fewer only when the chunk is smaller). */
const minimumBlockRows = 256;

/**
 * The shape of one similarity block, at most `blockBytes` / blocksInFlight (that many are in memory
 * at once).
 * Blocks span many queries and a slice of the chunk's rows, rather than a few queries against the
 * whole chunk: the Gemm then reads the chunk from memory once per query block instead of once per
 * few queries (on the shared 2-core machine, 1,000 x 8,000 blocks ran the 1,000 x 100,000 x 768
 * Gemm in 0.73-0.75 s in two runs of three, 1.8 s in the third, where 167 x 100,000 blocks took
 * 1.17-1.22 s, 1.8 s in one run of six), and the first block can start as soon as its rows are ready.
 */
export function blockShape(
  queryCount: number,
  capacityRows: number,
  blockBytes: number,
): { queries: number; rows: number } {
  const blockValues = Math.max(1, Math.floor(blockBytes / (4 * blocksInFlight)));
  // Split the queries evenly: 1,000 queries make two blocks of 500, not 512 and 488.
  const queryBlocks = Math.ceil(queryCount / maximumBlockQueries);
  const queryTarget = Math.max(1, Math.ceil(queryCount / Math.max(1, queryBlocks)));
  const largestRows = Math.min(
    capacityRows,
    Math.max(minimumBlockRows, Math.floor(blockValues / queryTarget)),
  );
  // Split the chunk's rows evenly too: 21,845 rows make three blocks of 7,282, not 8,388, 8,388 and a
  // thin 5,069 on which the Gemm is less efficient.
  const rowBlocks = Math.ceil(capacityRows / largestRows);
  const rows = Math.max(Math.min(capacityRows, minimumBlockRows), Math.ceil(capacityRows / rowBlocks));
  const queries = Math.max(1, Math.min(queryTarget, Math.floor(blockValues / rows)));
  return { queries, rows };
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
export async function scanWithBackend(
  scope: ChunkScope,
  backend: SearchBackend,
  blocks: { queries: number; rows: number },
  unprepared: { vectors: Float32Array; fill: ((rows: number) => void) | undefined } | undefined,
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
  let preparedRows = unprepared === undefined ? rows : 0;
  const request = (task: BlockTask): Promise<Float32Array> => {
    const endRow = task.firstRow + task.rowCount;
    if (endRow > preparedRows && unprepared !== undefined) {
      // Cosine: have the source read the block's rows if it reads as the search goes, copy them (unless
      // the source wrote them in place) and normalise them now, just before the backend reads them.
      unprepared.fill?.(endRow);
      const source = unprepared.vectors.subarray(preparedRows * dimension, endRow * dimension);
      const destination = documents.subarray(preparedRows * dimension, endRow * dimension);
      if (!sameValues(destination, source)) destination.set(source);
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
  // blocksInFlight requests in flight: the backend computes blocks i + 1... while block i is examined.
  const inFlight: Promise<Float32Array>[] = [];
  const settleAll = () => Promise.allSettled(inFlight);
  try {
    for (let index = 0; index < Math.min(blocksInFlight, tasks.length); index++)
      inFlight.push(request(tasks[index] as BlockTask));
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index] as BlockTask;
      await inFlight.shift();
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
        // Order the block's results now too, while the backend is still busy; before the last
        // chunk, cut each query back to its best k so that the next chunk prunes by its threshold.
        if (scope.lastChunk) orderResults(collector, task.firstQuery, task.firstQuery + task.queryCount);
        else collector.tighten(task.firstQuery, task.firstQuery + task.queryCount);
      }
    }
  } catch (error) {
    await settleAll();
    throw error;
  }
}
