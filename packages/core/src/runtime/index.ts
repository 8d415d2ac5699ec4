export {
  AdaptiveRateLimiter,
  type AdaptiveRateLimiterSettings,
  type RateLimiterSnapshot,
} from "./adaptive-rate-limiter.js";
export { type BatchLimits, estimatedRequestBytes, planBatches } from "./batch-plan.js";
export { type CacheDocumentSourceOptions, cacheDocumentSource } from "./cache-document-source.js";
export {
  type CacheNamespace,
  type CacheNamespaceDescription,
  cacheNamespace,
  cacheNamespaceFor,
} from "./cache-namespace.js";
export { canonicalJson } from "./canonical-json.js";
export { type EmbedTextsOptions, type EmbedTextsResult, embedTexts } from "./embed-texts.js";
export {
  EmbeddingCache,
  type EmbeddingCacheOptions,
  type EmbeddingCacheStats,
  formatCacheLine,
} from "./embedding-cache.js";
export {
  defaultPricesPerMillionTokens,
  lookupPricePerMillionTokens,
  type PriceLookupOptions,
} from "./price-table.js";
export { validateEmbeddings } from "./response-validation.js";
export { type BackoffSettings, backoffDelay, defaultBackoffSettings } from "./retry-backoff.js";
export { type RuntimeClock, systemClock } from "./runtime-clock.js";
export { estimateTokens, type LatencySummary, percentile, UsageRecorder } from "./usage-recorder.js";
