/** What embedding one (model, task) cost and how fast it went: the usage block of a result file. */
export interface UsageSummary {
  textsEmbedded: number;
  cacheHits: number;
  calls: number;
  retries: number;
  throttles: number;
  tokens: number;
  tokensSource: "provider" | "estimated" | "none";
  costUsd: number | null;
  pricePerMillionTokens: number | null;
  /** Per call. */
  latencyMs: { p50: number; p95: number; mean: number } | null;
  /** Per text: each call's latency divided by its batch size, as percentiles over calls. */
  latencyPerTextMs: { p50: number; p95: number; mean: number } | null;
  /** Texts per second during embedding, cache hits excluded. */
  throughput: number | null;
  /**
   * Present when the provider throttled: the periods (first throttle to the next success) and their
   * total length in seconds, so a slow run says why it was slow.
   */
  throttling?: { periods: number; seconds: number };
  /** Present when the provider failed across the board: how often and how long every call was paused. */
  outages?: { pauses: number; seconds: number };
  /** Present when the cache held damaged records or files: how many were skipped and re-embedded. */
  cacheRepairs?: number;
  /**
   * Present when texts were embedded in asynchronous jobs (Bedrock batch inference), at their own price:
   * the jobs, the texts and tokens they embedded (also counted in textsEmbedded and tokens) and what they
   * cost (also in costUsd). Jobs are not calls: they add nothing to calls or latency.
   */
  bulk?: {
    jobs: number;
    texts: number;
    tokens: number;
    pricePerMillionTokens: number | null;
    costUsd: number | null;
  };
}
