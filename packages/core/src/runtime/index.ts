export {
  AdaptiveRateLimiter,
  type AdaptiveRateLimiterSettings,
  type RateLimiterSnapshot,
} from "./adaptive-rate-limiter.js";
export { type BatchLimits, estimatedRequestBytes, planBatches } from "./batch-plan.js";
export type { CacheClaim, ClaimOptions } from "./cache/cache-claim.js";
export { type CacheDocumentSourceOptions, cacheDocumentSource } from "./cache/cache-document-source.js";
export {
  type CacheNamespace,
  type CacheNamespaceDescription,
  cacheNamespace,
  cacheNamespaceFor,
} from "./cache/cache-namespace.js";
export { canonicalJson } from "./cache/canonical-json.js";
export {
  EmbeddingCache,
  type EmbeddingCacheOptions,
  type EmbeddingCacheStats,
  formatCacheLine,
} from "./cache/embedding-cache.js";
export {
  type Admission,
  CircuitBreaker,
  type CircuitBreakerSettings,
  type CircuitChange,
  type CircuitState,
} from "./circuit-breaker.js";
export { type EmbedTextsOptions, type EmbedTextsResult, embedTexts } from "./embed-texts.js";
export {
  defaultPricesPerMillionTokens,
  lookupPricePerMillionTokens,
  type PriceLookupOptions,
} from "./price-table.js";
export { validateEmbeddings } from "./response-validation.js";
export { type BackoffSettings, backoffDelay, defaultBackoffSettings } from "./retry-backoff.js";
export { type RuntimeClock, systemClock } from "./runtime-clock.js";
export { describeRuntimeEvent, type RuntimeEvent } from "./runtime-event.js";
export {
  defaultCancelGraceSeconds,
  defaultRetryAfterCapSeconds,
  defaultRetryBudgetSeconds,
  type RuntimeSettings,
} from "./runtime-settings.js";
export { type LatencySummary, UsageRecorder } from "./usage-recorder.js";
export type { UsageSummary } from "./usage-summary.js";
