import { DatasetError } from "@embedeval/provider-contract";
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
 * Texts read per cache read: a chunk is filled in parts of this size as the search asks for rows (a read
 * is synchronous; 4,096 vectors of 768 dimensions are 12 MB).
 */
const textsPerRead = 4096;

/**
 * Chunks of 128 MiB: the source holds no vectors of its own, so the search may use for its chunk the
 * memory a copy would take (64 MiB chunks with a 64 MiB buffer read ahead before). Fewer chunks mean
 * fewer candidates rescored (1,000 queries x 100,000 x 768, top-1000: 3.0 million pairs in 5 chunks,
 * 2.1 million in 3; docs/performance.md).
 */
const streamedChunkBytes = 128 * 1024 * 1024;

/**
 * A corpus searched straight from the embedding cache: each chunk's vectors are read from the cache's
 * segment files (in large sequential reads, no object per vector) into the search's own buffer when it
 * offers one, so a corpus larger than memory is searched holding one chunk. A chunk is yielded at once
 * and filled part by part as the search asks for its rows (DocumentChunk.fill), so the search computes
 * the first similarities while the rest of the chunk is still being read. Every text must be cached
 * already (the runtime embedded them); one that is not, or that has another dimension, is an error
 * naming its row.
 */
export function cacheDocumentSource(options: CacheDocumentSourceOptions): DocumentSource {
  const { cache, namespace, texts, dimension } = options;
  const notCached = options.notCached ?? new Map<string, Float32Array>();
  const rows = texts.length;

  /** Reads the corpus rows start + [from, until) into `buffer` (row `start` at 0), part by part. */
  const readRows = (start: number, from: number, until: number, buffer: Float32Array) => {
    for (let next = from; next < until; next += textsPerRead) {
      const end = Math.min(next + textsPerRead, until);
      const part = buffer.subarray(next * dimension, end * dimension);
      for (const offset of cache.readInto(
        namespace,
        texts.slice(start + next, start + end),
        part,
        dimension,
      )) {
        const row = start + next + offset;
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
        part.set(vector, offset * dimension);
      }
    }
  };

  return {
    dimension,
    rows,
    chunkBytes: streamedChunkBytes,
    async *chunks({ maxRows, target }): AsyncGenerator<DocumentChunk> {
      const chunkRows = Math.max(1, Math.min(maxRows, rows));
      const values = rows === 0 ? 0 : chunkRows * dimension;
      // Straight into the search's own memory when it offers enough.
      const buffer = target !== undefined && target.length >= values ? target : new Float32Array(values);
      for (let start = 0; start < rows; start += chunkRows) {
        const count = Math.min(chunkRows, rows - start);
        let filled = 0;
        // Parts are read whole: asked for one row, the source reads its part of 4,096.
        const fill = (wanted: number) => {
          const until = Math.min(count, wanted);
          if (until <= filled) return;
          const end = Math.min(count, Math.ceil(until / textsPerRead) * textsPerRead);
          readRows(start, filled, end, buffer);
          filled = end;
        };
        yield { start, rows: count, vectors: buffer.subarray(0, count * dimension), fill };
      }
    },
  };
}
