import type { EmbeddingProvider, InputType } from "@embedeval/provider-contract";
import type { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";
import type { CacheNamespace } from "./cache/cache-namespace.js";
import type { EmbeddingCache } from "./cache/embedding-cache.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import type { BackoffSettings } from "./retry-backoff.js";
import type { RuntimeClock } from "./runtime-clock.js";
import type { RuntimeEvent } from "./runtime-event.js";
import type { RuntimeSettings } from "./runtime-settings.js";
import type { LatencySummary, UsageRecorder } from "./usage-recorder.js";
import type { UsageSummary } from "./usage-summary.js";

/**
 * The provider runtime: every embedding call of every provider goes through here. It owns what plugins
 * must not each re-implement: deduplication, the cache, batching, concurrency, pacing, retries (the only
 * retry layer: plugins configure their SDKs with no retries of their own), timeouts, cancellation,
 * response checks and usage accounting.
 */
export interface EmbedTextsOptions {
  provider: EmbeddingProvider;
  texts: readonly string[];
  inputType: InputType;
  settings: RuntimeSettings;
  /** The config's model revision, when set: part of the cache key (see CacheNamespaceDescription). */
  modelRevision?: string;
  /** Omit for --no-cache. */
  cache?: EmbeddingCache;
  /**
   * Ctrl-C: stops starting calls, lets the calls in flight answer (and caches them) for up to
   * `settings.cancelGraceSeconds`, aborts the rest, then throws CancelledError saying what is cached.
   */
  signal?: AbortSignal;
  /** Distinct texts with a vector so far (cached or received), of the distinct texts asked for. */
  onProgress?: (done: number, total: number) => void;
  /** USD per million tokens; undefined: looked up in the built-in list (null when unknown there). */
  pricePerMillionTokens?: number | null;
  /** Also records into this recorder, to total queries and documents of one task. */
  usage?: UsageRecorder;
  /** Share one limiter between invocations for the same model so its learned pace carries over. */
  rateLimiter?: AdaptiveRateLimiter;
  /** The circuit breaker; default: the rate limiter's own (shared with it between invocations). */
  circuitBreaker?: CircuitBreaker;
  /**
   * Throttling, pauses, capped Retry-After, waits for another run's cache claim, draining on Ctrl-C.
   * The rate limiter's listener (AdaptiveRateLimiterSettings.onEvent) hears them too.
   */
  onEvent?: (event: RuntimeEvent) => void;
  /** Where the provider is reached (an endpoint URL), when known: named when it never answers. */
  endpoint?: string;
  backoff?: Partial<BackoffSettings>;
  /**
   * false: leave the vectors in the cache instead of returning them, for a corpus too large to hold
   * (the search then streams it with cacheDocumentSource). Needs `cache`; vectors that could not be
   * cached (a full disk) are returned in `notCached`. Default true.
   */
  keepVectors?: boolean;
  /** Injected in tests; the system clock otherwise. */
  clock?: RuntimeClock;
  /** Uniform in [0, 1), for backoff jitter. Injected in tests. */
  random?: () => number;
}

export interface EmbedTextsResult {
  /**
   * One vector per input text, in input order. Identical texts share one Float32Array. Empty with
   * keepVectors: false.
   */
  embeddings: Float32Array[];
  /**
   * With keepVectors: false, where the vectors are: the cache namespace, their dimension (undefined
   * when there were no texts), and, by text, the vectors the cache could not take.
   */
  cached?: { namespace: CacheNamespace; dimension: number | undefined; notCached: Map<string, Float32Array> };
  /** Usage of this invocation alone. */
  usage: UsageSummary;
  /** Each call's latency divided by its batch size, as percentiles over calls. */
  latencyPerTextMs: LatencySummary | null;
  /** The provider's warnings (texts cut to length, padded pooling, ...), each once with its count. */
  warnings: string[];
}
