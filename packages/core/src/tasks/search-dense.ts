import { ProviderError } from "@embedeval/provider-contract";
import type { DocumentSource } from "../search/document-source.js";
import { matrixDocumentSource } from "../search/document-source.js";
import { exactSearch } from "../search/exact-search.js";
import type { SearchBackend } from "../search/search-backend.js";
import type { Similarity } from "../search/similarity.js";
import { tieRanksFromIds } from "../search/tie-rank.js";
import type { Run } from "../trec/run.js";
import { SearchRun } from "../trec/search-run.js";

export interface SearchDenseOptions {
  queryIds: readonly string[];
  queryVectors: readonly Float32Array[];
  documentIds: readonly string[];
  /** The document vectors in memory, or a source that streams them (cacheDocumentSource). */
  documents: readonly Float32Array[] | DocumentSource;
  topK: number;
  similarity: Similarity;
  signal?: AbortSignal;
  /** A fast backend (onnxruntime); rankings are identical without it, only slower. */
  backend?: SearchBackend;
}

/**
 * Exact search from the retrieval task's point of view: ids and vectors in, a Run out, ranked in
 * trec_eval's order (score descending, then document id descending by bytes).
 */
export async function searchDense(options: SearchDenseOptions): Promise<Run> {
  const { queryIds, queryVectors, documentIds } = options;
  let documents: DocumentSource;
  if (Array.isArray(options.documents)) {
    const vectors = options.documents as readonly Float32Array[];
    const dimension = vectors[0]?.length ?? queryVectors[0]?.length ?? 0;
    documents = matrixDocumentSource(packRows(vectors, dimension, "document"), vectors.length, dimension);
  } else {
    documents = options.documents as DocumentSource;
  }
  const dimension = documents.dimension;
  const queries = packRows(queryVectors, dimension, "query");
  const result = await exactSearch({
    queries,
    queryCount: queryVectors.length,
    dimension,
    documents,
    topK: options.topK,
    similarity: options.similarity,
    documentTieRank: tieRanksFromIds(documentIds),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  return new SearchRun(queryIds, documentIds, result.indices, result.scores, result.k);
}

/**
 * One row-major matrix; a vector of another dimension is a provider bug worth naming. Rows that are
 * already consecutive views of one buffer (a .npy file read whole) are that matrix: viewed, not copied.
 */
function packRows(rows: readonly Float32Array[], dimension: number, kind: string): Float32Array {
  const contiguous = contiguousRows(rows, dimension);
  if (contiguous) return contiguous;
  const matrix = new Float32Array(rows.length * dimension);
  rows.forEach((row, index) => {
    if (row.length !== dimension) {
      throw new ProviderError(
        `${kind} vector ${index} has ${row.length} dimensions where the others have ${dimension}`,
        {
          provider: "unknown",
          retryable: false,
          hint: "Check the model's dimensions option; clear the cache if it changed without a new model id.",
        },
      );
    }
    matrix.set(row, index * dimension);
  });
  return matrix;
}

/** The one view spanning `rows` when each row directly follows the previous one in one buffer. */
function contiguousRows(rows: readonly Float32Array[], dimension: number): Float32Array | undefined {
  const first = rows[0];
  if (first === undefined || dimension === 0) return undefined;
  const rowBytes = dimension * 4;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as Float32Array;
    if (row.buffer !== first.buffer || row.length !== dimension) return undefined;
    if (row.byteOffset !== first.byteOffset + index * rowBytes) return undefined;
  }
  return new Float32Array(first.buffer, first.byteOffset, rows.length * dimension);
}
