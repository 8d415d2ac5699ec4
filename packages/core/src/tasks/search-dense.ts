import type { Similarity } from "../config/config-types.js";
import type { Run } from "../metrics/run.js";

export interface SearchDenseOptions {
  queryIds: readonly string[];
  queryVectors: readonly Float32Array[];
  documentIds: readonly string[];
  documentVectors: readonly Float32Array[];
  topK: number;
  similarity: Similarity;
  signal?: AbortSignal;
}

/**
 * Exact search from the retrieval task's point of view: ids and vectors in, a Run out. Interim simple
 * implementation (replaced by the search module's engine once it lands).
 */
export async function searchDense(options: SearchDenseOptions): Promise<Run> {
  const { queryIds, queryVectors, documentIds, documentVectors, topK, similarity } = options;
  const normalise = similarity === "cosine";
  const documents = documentVectors.map((vector) => (normalise ? l2Normalised(vector) : vector));
  const run: Run = new Map();
  queryIds.forEach((queryId, queryIndex) => {
    options.signal?.throwIfAborted();
    const raw = queryVectors[queryIndex] as Float32Array;
    const query = normalise ? l2Normalised(raw) : raw;
    const scored = documents.map((document, index) => ({
      id: documentIds[index] as string,
      score: dot(query, document),
    }));
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    run.set(queryId, scored.slice(0, topK));
  });
  return run;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] as number) * (b[index] as number);
  return Math.fround(sum);
}

function l2Normalised(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  const result = new Float32Array(vector.length);
  if (norm === 0) return result;
  for (let index = 0; index < vector.length; index++) result[index] = (vector[index] as number) / norm;
  return result;
}
