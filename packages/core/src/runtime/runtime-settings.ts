/** How the runtime calls one model: concurrency, pacing, timeouts, retries, batch size. */
export interface RuntimeSettings {
  /** Calls in flight at once for this model. */
  maxConcurrency: number;
  /** Upper bound on calls per minute; the runtime slows further when throttled. Undefined: no limit. */
  requestsPerMinute?: number;
  /** Per-call timeout in seconds. */
  timeoutSeconds: number;
  /**
   * How long one batch keeps retrying, in seconds from its first attempt: a retry that would start
   * later is not made, and the run fails with the last error. Default 90: rides out a 30 s outage.
   * An endpoint that never answers therefore fails the run at most `timeoutSeconds + retryBudgetSeconds`
   * after the first call was sent.
   */
  retryBudgetSeconds?: number;
  /** Optional cap on the number of retries of one batch, on top of the time budget. Undefined: no cap. */
  maxRetries?: number;
  /** Longest `Retry-After` honoured, in seconds; a longer one is cut to this and reported. Default 60. */
  retryAfterCapSeconds?: number;
  /**
   * On Ctrl-C (or SIGTERM), how long calls already in flight may take to answer (and be cached) before
   * they are aborted, in seconds. Default 15.
   */
  cancelGraceSeconds?: number;
  /** Texts per call; defaults to the provider's maxInputsPerCall. */
  batchSize?: number;
}

/** The defaults of the optional time settings, in seconds. */
export const defaultRetryBudgetSeconds = 90;
export const defaultRetryAfterCapSeconds = 60;
export const defaultCancelGraceSeconds = 15;
