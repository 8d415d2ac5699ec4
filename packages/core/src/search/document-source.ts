import { UsageError } from "@embedeval/provider-contract";

/** A run of consecutive document rows: `vectors` holds `rows` × dimension float32 values, row-major. */
export interface DocumentChunk {
  /** Index of the first row in the whole collection. */
  start: number;
  rows: number;
  /** Valid only until the next chunk is requested: sources may reuse one buffer. */
  vectors: Float32Array;
  /**
   * Present when the source reads the chunk's rows as the search needs them: the chunk is yielded at
   * once, and after fill(n) rows [0, n) of `vectors` hold their values (the rest are unspecified until
   * then). The search calls it with growing n before it reads rows, so its first similarities are
   * computed while the rest of the chunk is still being read. May throw what reading throws. Like
   * `vectors`, valid only until the next chunk is requested.
   */
  fill?: (rows: number) => void;
}

/**
 * Document vectors, read in chunks so that a corpus larger than memory can be searched. Rows are
 * yielded in order, each exactly once, and together cover `rows` rows.
 */
export interface DocumentSource {
  readonly dimension: number;
  readonly rows: number;
  /**
   * The chunk size this source asks for, in bytes of vectors. A source that holds no vectors of its
   * own and fills the search's buffer as it goes (the embedding cache) lets the search use the memory
   * another source needs for its copy: larger chunks mean fewer candidates to rescore.
   */
  readonly chunkBytes?: number;
  chunks(options: ChunkOptions): AsyncIterable<DocumentChunk>;
}

export interface ChunkOptions {
  maxRows: number;
  signal?: AbortSignal;
  /**
   * Where the search wants the rows: at least `maxRows` × dimension values, free to overwrite from the
   * moment the next chunk is asked for. A source that copies rows anyway (one reading a cache) writes
   * them here and yields a view of it, which saves the search a copy and the process a buffer (on the
   * 2-core machine a fresh 64 MiB buffer costs a quarter of a second in page faults alone).
   */
  target?: Float32Array;
}

/** A source over a matrix already in memory; chunks are views, nothing is copied. */
export function matrixDocumentSource(vectors: Float32Array, rows: number, dimension: number): DocumentSource {
  if (!Number.isInteger(dimension) || dimension <= 0) {
    throw new UsageError(`Document dimension must be a positive integer, got ${dimension}.`);
  }
  if (vectors.length !== rows * dimension) {
    throw new UsageError(
      `The document matrix holds ${vectors.length} values, but ${rows} rows of dimension ${dimension} need ${rows * dimension}.`,
      { hint: "Pass the vectors row-major, one row per document, all of the same dimension." },
    );
  }
  return {
    dimension,
    rows,
    async *chunks({ maxRows }) {
      for (let start = 0; start < rows; start += maxRows) {
        const chunkRows = Math.min(maxRows, rows - start);
        yield {
          start,
          rows: chunkRows,
          vectors: vectors.subarray(start * dimension, (start + chunkRows) * dimension),
        };
      }
    },
  };
}
