/**
 * Exponential backoff with full jitter: the wait before retry n (n = 1, 2, ...) is uniform in
 * [0, min(cap, base * 2^(n-1))). Full jitter spreads the retries of many concurrent callers so they do
 * not hit a throttled service again in lockstep (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 * A server's retry-after is a floor: we never come back sooner than asked.
 */
export interface BackoffSettings {
  /** First retry's upper bound, in milliseconds. */
  baseDelayMilliseconds: number;
  /** Largest upper bound, in milliseconds. */
  maxDelayMilliseconds: number;
}

export const defaultBackoffSettings: BackoffSettings = {
  baseDelayMilliseconds: 250,
  maxDelayMilliseconds: 20_000,
};

/** The wait before retry number `retry` (1-based). `random` returns a value in [0, 1). */
export function backoffDelay(
  retry: number,
  settings: BackoffSettings,
  random: () => number,
  retryAfterMilliseconds?: number,
): number {
  const ceiling = Math.min(
    settings.maxDelayMilliseconds,
    settings.baseDelayMilliseconds * 2 ** Math.max(0, retry - 1),
  );
  const jittered = random() * ceiling;
  return Math.max(jittered, retryAfterMilliseconds ?? 0);
}
