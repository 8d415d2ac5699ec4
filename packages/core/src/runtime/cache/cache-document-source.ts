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
 * segment files (in large sequential reads, no object per vector) into the search's own buffer when it
 * offers one, so a corpus larger than memory is searched holding one chunk. While the search waits for
 * its backend, the next chunk is read ahead into a second buffer (ChunkOptions.idleWork), so the
 * reading overlaps the similarity computation instead of stalling it at every chunk. Every text must
 * be cached already (the runtime embedded them); one that is not, or that has another dimension, is an
 * error naming its row.
 */
export function cacheDocumentSource(options: CacheDocumentSourceOptions): DocumentSource {
  const { cache, namespace, texts, dimension } = options;
  const notCached = options.notCached ?? new Map<string, Float32Array>();
  const rows = texts.length;

  /** Reads rows [start, start + count) into `destination`, one part of `textsPerRead` per step. */
  const chunkReader = (start: number, count: number, destination: Float32Array) => {
    let next = start;
    const unread: number[] = [];
    return {
      start,
      count,
      destination,
      unread,
      /** Reads one part; true while parts remain. */
      step(): boolean {
        if (next >= start + count) return false;
        const end = Math.min(next + textsPerRead, start + count);
        const part = destination.subarray((next - start) * dimension, (end - start) * dimension);
        for (const row of cache.readInto(namespace, texts.slice(next, end), part, dimension)) {
          unread.push(next + row);
        }
        next = end;
        return next < start + count;
      },
    };
  };

  return {
    dimension,
    rows,
    async *chunks({ maxRows, signal, target, idleWork }): AsyncGenerator<DocumentChunk> {
      const chunkRows = Math.max(1, Math.min(maxRows, rows));
      const values = rows === 0 ? 0 : chunkRows * dimension;
      // Straight into the search's own memory when it offers enough.
      const buffer = target !== undefined && target.length >= values ? target : new Float32Array(values);
      let ahead: Float32Array | undefined;
      let pending: ReturnType<typeof chunkReader> | undefined;
      // Reads are synchronous, and an abort (Ctrl-C, a timer) is only delivered by the event loop.
      const checkpoint = new CancellationCheckpoint(signal);
      for (let start = 0; start < rows; start += chunkRows) {
        const count = Math.min(chunkRows, rows - start);
        const reader = pending?.start === start ? pending : chunkReader(start, count, buffer);
        pending = undefined;
        // Whatever the idle time did not read is read now.
        do await checkpoint.check();
        while (reader.step());
        if (reader.destination !== buffer) buffer.set(reader.destination.subarray(0, count * dimension));
        for (const row of reader.unread) {
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
        const nextStart = start + count;
        if (idleWork !== undefined && nextStart < rows) {
          ahead ??= new Float32Array(values);
          const next = chunkReader(nextStart, Math.min(chunkRows, rows - nextStart), ahead);
          pending = next;
          idleWork.set(() => next.step());
        }
        yield { start, rows: count, vectors: buffer.subarray(0, count * dimension) };
      }
    },
  };
}
