/**
 * The checks that turn bad input into a typed error with a hint, before any work or as soon as the
 * numbers show it: the options, non-finite vectors, dot products beyond float32, NaN similarities.
 */
import { DatasetError, UsageError } from "@embedeval/provider-contract";
import type { ExactSearchOptions } from "./exact-search-options.js";
import type { TopKCollector } from "./top-k-collector.js";

export function validateSearchOptions(options: ExactSearchOptions): void {
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

/**
 * Scores are float32 sums of float32 products, and |q·d| and every partial sum are at most ‖q‖·‖d‖
 * (Cauchy-Schwarz): below half the largest float32 nothing overflows to ±∞ (which would make scores
 * NaN and drop documents). Cosine vectors are unit vectors; only "dot" can get there.
 */
export function checkFloat32Range(largestQueryNorm: number, largestDocumentNorm: number): void {
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
export function orderResults(collector: TopKCollector, from: number, to: number): void {
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

export function nonFiniteError(kind: "query" | "document", row: number): DatasetError {
  return new DatasetError(`The ${kind} vector at position ${row} holds a NaN or infinite value.`, {
    hint: "The embedding provider returned a broken vector: clear its cache entry and embed again.",
  });
}
