/** How the runtime calls one model: concurrency, pacing, timeouts, retries, batch size. */
export interface RuntimeSettings {
  /** Calls in flight at once for this model. */
  maxConcurrency: number;
  /** Upper bound on calls per minute; the runtime slows further when throttled. Undefined: no limit. */
  requestsPerMinute?: number;
  /** Per-call timeout in seconds. */
  timeoutSeconds: number;
  /** Attempts after the first for retryable errors. */
  maxRetries: number;
  /** Texts per call; defaults to the provider's maxInputsPerCall. */
  batchSize?: number;
}
