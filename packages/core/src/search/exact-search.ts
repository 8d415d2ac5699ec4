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

import { DatasetError } from "@embedeval/provider-contract";
import { CancellationCheckpoint, throwIfAborted } from "./cancellation-checkpoint.js";
import type { ChunkScope } from "./chunk-scope.js";
import type { ExactSearchOptions } from "./exact-search-options.js";
import { createKernelScorer } from "./kernel-scorer.js";
import { sameValues } from "./same-values.js";
import { scanPortable } from "./scan-portable.js";
import { blockShape, blocksInFlight, scanWithBackend } from "./scan-with-backend.js";
import { checkFloat32Range, nonFiniteError, orderResults, validateSearchOptions } from "./search-checks.js";
import type { SearchResult, SearchStatistics } from "./search-result.js";
import { largestRowNorm, normalisedRowNormBound, normaliseRows, rowNorm } from "./similarity-kernel.js";
import { TopKCollector } from "./top-k-collector.js";

export type { ExactSearchOptions } from "./exact-search-options.js";
export type { SearchResult, SearchStatistics } from "./search-result.js";

/**
 * Memory is the vectors plus these fixed buffers: a chunk of 64 MiB (21,845 rows of 768 dimensions)
 * unless the source asks for another size (the embedding cache, which holds no copy of its own, asks
 * for 128 MiB), and similarity blocks of 64 MiB in all (four of 16 MiB, blocksInFlight). Each chunk
 * adds candidates to rescore (a query's k best of its first chunk all are; in a later chunk, the rows
 * that may beat what the query holds, about k times the chunk's share of the rows seen so far), so
 * fewer chunks mean less work: 1,000 x 100,000 x 768 in memory, top-1000, three rounds (2026-12-06,
 * before that later-chunk cut): 5 chunks 1.91-2.08 s and 3.0 million pairs rescored, 3 chunks
 * 1.66-1.89 s and 2.1 million, 1 chunk 1.43-1.57 s and 1.0 million. A whole cached `embedeval run`
 * earlier: 32 MiB chunks 3.66 s, 440-449 MB; 64 MiB 3.54 s, 526-542 MB (then with a second 64 MiB
 * chunk read ahead).
 */
const defaultChunkBytes = 64 * 1024 * 1024;
const defaultSimilarityBlockBytes = 64 * 1024 * 1024;
/** Rows a progressively filled chunk is asked for at a time when the search needs all of it first. */
const fillStepRows = 4096;
/** What the kernel's WebAssembly memory may use, under its 4 GiB limit. */
const wasmMemoryBudgetBytes = 3.5 * 1024 * 1024 * 1024;

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

export async function exactSearch(options: ExactSearchOptions): Promise<SearchResult> {
  validateSearchOptions(options);
  throwIfAborted(options.signal);
  const { queryCount, dimension, documents, signal, backend } = options;
  const k = Math.min(options.topK, documents.rows);
  const collector = new TopKCollector(queryCount, k, options.documentTieRank);
  const blockBytes = options.similarityBlockBytes ?? defaultSimilarityBlockBytes;
  const chunkBytes = documents.chunkBytes ?? defaultChunkBytes;
  let chunkRows = options.chunkRows ?? Math.max(1, Math.floor(chunkBytes / (4 * dimension)));
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
  // The fast path's similarity blocks (one being read while the backend fills the others) live
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
    for await (const chunk of documents.chunks({
      maxRows: chunkRows,
      signal,
      target: scorer.documents.subarray(0, capacityRows * dimension),
    })) {
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
        if (chunk.fill !== undefined) {
          // A source that reads as the search goes: read the whole chunk now, letting an abort in
          // between parts.
          for (let filled = 0; filled < chunk.rows; ) {
            filled = Math.min(chunk.rows, filled + fillStepRows);
            chunk.fill(filled);
            await checkpoint.check();
          }
        }
        if (!sameValues(chunkVectors, chunk.vectors)) chunkVectors.set(chunk.vectors);
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
      else
        await scanWithBackend(
          scope,
          backend,
          blocks,
          prepareByBlock ? { vectors: chunk.vectors, fill: chunk.fill } : undefined,
        );
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
