import type { DocumentSource } from "./document-source.js";
import type { PortableKernel } from "./kernel-scorer.js";
import type { SearchBackend } from "./search-backend.js";
import type { Similarity } from "./similarity.js";

export interface ExactSearchOptions {
  /** queryCount × dimension float32 values, row-major. */
  queries: Float32Array;
  queryCount: number;
  dimension: number;
  documents: DocumentSource;
  /** How many documents to return per query (MTEB: 1000); fewer when the corpus is smaller. */
  topK: number;
  /** "cosine" L2-normalises queries and documents in float32 first, like MTEB; "dot" does not. */
  similarity: Similarity;
  /**
   * Per document, its tie rank: a higher rank wins equal scores. For trec_eval's order use
   * `tieRanksFromIds(documentIds)` (ids sorted by bytes; byte-greater ids win ties).
   */
  documentTieRank: Uint32Array;
  signal?: AbortSignal;
  /** A fast similarity backend; without one the portable kernel scores every pair. */
  backend?: SearchBackend;
  /**
   * Document rows per chunk. Larger chunks mean fewer rescored candidates on the fast path and more
   * memory (the chunk is copied into the kernel's memory, normalised there for cosine; a disk
   * source also holds two read buffers of this size). Default: 64 MiB of vectors (see exact-search.ts).
   */
  chunkRows?: number;
  /**
   * The portable kernel: "webassembly" (SIMD, the default; falls back to "javascript" where
   * unavailable) or "javascript". Both give identical numbers.
   */
  portableKernel?: PortableKernel;
  /**
   * Upper bound on the backend similarity blocks in memory (four at a time, each queries × rows × 4
   * bytes). Default 64 MiB (see exact-search.ts): bigger blocks mean fewer blocks per chunk, so fewer
   * candidates gathered against a cut that is not yet final, for more memory. 1,000 x 100,000 x 768,
   * top-1000, best of five, alternating, 512 MiB chunks, with two blocks at a time then: 64 MiB
   * 1.76-1.99 s (peak RSS 1.08 GB), 128 MiB 1.65-2.08 s (1.23 GB), 256 MiB 1.57-1.83 s (1.63 GB).
   */
  similarityBlockBytes?: number;
}
