import type { PortableKernel } from "./kernel-scorer.js";

export interface SearchStatistics {
  backend: string;
  /** The portable kernel that computed the scores. */
  kernel: PortableKernel;
  documents: number;
  chunks: number;
  /** Pairs scored by the portable kernel (all pairs without a backend; the candidates with one). */
  pairsScored: number;
}

export interface SearchResult {
  queryCount: number;
  /** Results per query: min(topK, document count). */
  k: number;
  /** queryCount × k document indices, best first in trec_eval order. */
  indices: Uint32Array;
  /** queryCount × k scores (float32 values), matching `indices`. */
  scores: Float32Array;
  statistics: SearchStatistics;
}
