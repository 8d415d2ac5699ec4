/**
 * Deterministic test vectors for the search tests (here and in @embedeval/search-onnx): random
 * values from a seeded generator, optionally quantised to a few levels and with duplicated rows,
 * so that many scores tie exactly.
 */

import { dotProduct, normaliseRows } from "../search/similarity-kernel.js";
import { createSeededRandom } from "../statistics/seeded-random.js";

/** Core's seeded generator (mulberry32) as a function, so failures reproduce. */
export function seededRandom(seed: number): () => number {
  return createSeededRandom(seed).next;
}

export interface TestMatrixOptions {
  rows: number;
  dimension: number;
  seed: number;
  /** Round values to this many levels in [-1, 1] (few levels: many exact ties). */
  levels?: number;
  /** Fraction of rows that copy an earlier row exactly. */
  duplicateFraction?: number;
}

export function testMatrix(options: TestMatrixOptions): Float32Array {
  const { rows, dimension, levels, duplicateFraction = 0 } = options;
  const random = seededRandom(options.seed);
  const matrix = new Float32Array(rows * dimension);
  for (let row = 0; row < rows; row++) {
    if (row > 0 && random() < duplicateFraction) {
      const source = Math.floor(random() * row);
      matrix.copyWithin(row * dimension, source * dimension, (source + 1) * dimension);
      continue;
    }
    for (let index = 0; index < dimension; index++) {
      const value = random() * 2 - 1;
      matrix[row * dimension + index] = levels === undefined ? value : Math.round(value * levels) / levels;
    }
  }
  return matrix;
}

/**
 * The simple implementation the search must equal: score every pair with the kernel, sort each
 * query's documents by score descending then tie rank descending, keep the first k.
 */
export function bruteForceSearch(options: {
  queries: Float32Array;
  queryCount: number;
  documents: Float32Array;
  documentCount: number;
  dimension: number;
  topK: number;
  similarity: "cosine" | "dot";
  documentTieRank: Uint32Array;
}): { indices: Uint32Array; scores: Float32Array; k: number } {
  const { queryCount, documentCount, dimension, documentTieRank } = options;
  let { queries, documents } = options;
  if (options.similarity === "cosine") {
    const normalisedQueries = new Float32Array(queries.length);
    normaliseRows(queries, normalisedQueries, queryCount, dimension);
    const normalisedDocuments = new Float32Array(documents.length);
    normaliseRows(documents, normalisedDocuments, documentCount, dimension);
    queries = normalisedQueries;
    documents = normalisedDocuments;
  }
  const k = Math.min(options.topK, documentCount);
  const indices = new Uint32Array(queryCount * k);
  const scores = new Float32Array(queryCount * k);
  for (let query = 0; query < queryCount; query++) {
    const scored = Array.from({ length: documentCount }, (_, document) => ({
      document,
      score: dotProduct(queries, query * dimension, documents, document * dimension, dimension),
    }));
    scored.sort(
      (left, right) =>
        right.score - left.score ||
        (documentTieRank[right.document] as number) - (documentTieRank[left.document] as number) ||
        right.document - left.document,
    );
    for (let rank = 0; rank < k; rank++) {
      const entry = scored[rank] as { document: number; score: number };
      indices[query * k + rank] = entry.document;
      scores[query * k + rank] = entry.score;
    }
  }
  return { indices, scores, k };
}
