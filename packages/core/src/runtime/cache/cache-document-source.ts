import { DatasetError } from "@embedeval/provider-contract";
import { CancellationCheckpoint } from "../../search/cancellation-checkpoint.js";
import type { DocumentChunk, DocumentSource } from "../../search/document-source.js";
import type { CacheNamespace } from "./cache-namespace.js";
import type { EmbeddingCache } from "./embedding-cache.js";

export interface CacheDocumentSourceOptions {
  cache: EmbeddingCache;
  /** The namespace the documents were embedded under (model, options, input type "document"). */
  namespace: CacheNamespace;
  /** The document texts, in corpus order: row i is the cached vector of texts[i]. */
  texts: readonly string[];
  dimension: number;
  /** Vectors the cache could not take (embedTexts' `cached.notCached`), by text: used for those rows. */
  notCached?: ReadonlyMap<string, Float32Array>;
}

/**
 * Texts read per cache read: a chunk is read in parts of this size, with a check for cancellation
 * between them (a read is synchronous; 4,096 vectors of 768 dimensions are 12 MB).
 */
const textsPerRead = 4096;

/**
 * A corpus searched straight from the embedding cache: each chunk's vectors are read from the cache's
 * segment files into one reused buffer (in large sequential reads, no object per vector), so a corpus
 * larger than memory is searched holding one chunk. Every text must be cached already (the runtime
 * embedded them); one that is not, or that has another dimension, is an error naming its row.
 */
export function cacheDocumentSource(options: CacheDocumentSourceOptions): DocumentSource {
  const { cache, namespace, texts, dimension } = options;
  const notCached = options.notCached ?? new Map<string, Float32Array>();
  const rows = texts.length;
  return {
    dimension,
    rows,
    async *chunks({ maxRows, signal, target }): AsyncGenerator<DocumentChunk> {
      const chunkRows = Math.max(1, Math.min(maxRows, rows));
      const values = rows === 0 ? 0 : chunkRows * dimension;
      // Straight into the search's own memory when it offers enough.
      const buffer = target !== undefined && target.length >= values ? target : new Float32Array(values);
      // Reads are synchronous, and an abort (Ctrl-C, a timer) is only delivered by the event loop.
      const checkpoint = new CancellationCheckpoint(signal);
      for (let start = 0; start < rows; start += chunkRows) {
        const count = Math.min(chunkRows, rows - start);
        const unread: number[] = [];
        for (let first = start; first < start + count; first += textsPerRead) {
          await checkpoint.check();
          const end = Math.min(first + textsPerRead, start + count);
          const target = buffer.subarray((first - start) * dimension, (end - start) * dimension);
          for (const row of cache.readInto(namespace, texts.slice(first, end), target, dimension)) {
            unread.push(first + row);
          }
        }
        for (const row of unread) {
          const offset = row - start;
          // A vector embedded in this run that the cache could not take (a full disk, or an older record
          // of the same text with another dimension, which is why it was embedded again).
          const vector = notCached.get(texts[row] as string);
          if (vector === undefined || vector.length !== dimension) {
            const cached = cache.read(namespace, [texts[row] as string])[0];
            throw new DatasetError(
              cached === undefined || cached.length === dimension
                ? `Document ${row} has no vector in the embedding cache (${cache.directory}), which the search reads the corpus from.`
                : `Document ${row} has a ${cached.length}-dimensional vector in the embedding cache where ${dimension} dimensions were expected.`,
              {
                hint: "The cache changed while the run was going on (another run compacting or clearing it): run again, or with --no-cache.",
              },
            );
          }
          buffer.set(vector, offset * dimension);
        }
        yield { start, rows: count, vectors: buffer.subarray(0, count * dimension) };
      }
    },
  };
}
