import type { CancellationCheckpoint } from "./cancellation-checkpoint.js";
import type { KernelScorer } from "./kernel-scorer.js";
import type { SearchStatistics } from "./search-result.js";
import type { TopKCollector } from "./top-k-collector.js";

/** One chunk of documents as a scan sees it, with the search's state that the scan updates. */
export interface ChunkScope {
  scorer: KernelScorer;
  queryNorms: Float64Array;
  queryCount: number;
  dimension: number;
  /** The chunk as the kernel and the backend see it (normalised for cosine). */
  documents: Float32Array;
  start: number;
  rows: number;
  largestDocumentNorm: number;
  collector: TopKCollector;
  statistics: SearchStatistics;
  signal: AbortSignal | undefined;
  checkpoint: CancellationCheckpoint;
  /** No chunk follows: a query block's results are final once its candidates are rescored. */
  lastChunk: boolean;
}
