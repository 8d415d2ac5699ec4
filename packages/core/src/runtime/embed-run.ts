import type { EmbeddingProvider } from "@embedeval/provider-contract";
import { CancelledError } from "@embedeval/provider-contract";
import type { CacheNamespace } from "./cache/cache-namespace.js";
import type { EmbeddingCache } from "./cache/embedding-cache.js";
import type { EmbedTextsOptions } from "./embed-texts-options.js";
import type { BackoffSettings } from "./retry-backoff.js";
import type { RuntimeClock } from "./runtime-clock.js";
import type { RuntimeEvent } from "./runtime-event.js";
import type { RuntimeSettings } from "./runtime-settings.js";
import type { UsageRecorder } from "./usage-recorder.js";

/**
 * What one embedTexts invocation shares between its steps (cache lookup, bulk jobs, the call scheduler,
 * result assembly). The fields marked mutable change as vectors arrive.
 */
export interface EmbedRun {
  options: EmbedTextsOptions;
  provider: EmbeddingProvider;
  settings: RuntimeSettings;
  cache: EmbeddingCache | undefined;
  namespace: CacheNamespace | undefined;
  signal: AbortSignal | undefined;
  clock: RuntimeClock;
  random: () => number;
  backoff: BackoffSettings;
  budgetMilliseconds: number;
  retryAfterCapMilliseconds: number;
  graceMilliseconds: number;
  price: number | null;
  recorder: UsageRecorder;
  /** Warnings repeat per call (one per batch); kept once each, with how many calls raised them. */
  warningCounts: Map<string, number>;
  emit: (event: RuntimeEvent) => void;
  /** Mutable: set once a cache write failed; the run then caches nothing more. */
  cacheBroken: boolean;
  /** Cache repairs counted before this run (see cacheDamage). */
  damageBefore: number;
  /** For each input text, its position in `distinct`. */
  positions: Int32Array;
  distinct: string[];
  keepVectors: boolean;
  /** The dimension the provider declares. */
  declared: number | undefined;
  /**
   * Kept vectors (or, with keepVectors: false, only those the cache could not take), by distinct text.
   */
  vectors: (Float32Array | undefined)[];
  /** Mutable: the dimension every vector must have, once known. */
  expectedDimension: number | undefined;
  /** Distinct texts whose cached vector held NaN or infinity: embedded again, counted as repairs. */
  unusableCached: Set<number>;
  /** Mutable: the distinct texts still without a vector. */
  missing: number[];
  /** Mutable: distinct texts with a vector so far (cached or received). */
  done: number;
}

/**
 * Caches vectors the moment they arrive (a run killed later loses only the calls still in flight) and
 * keeps them in memory unless the cache holds them for a run that streams from it.
 */
export function storeReceived(
  run: EmbedRun,
  indices: readonly number[],
  texts: readonly string[],
  received: readonly Float32Array[],
  warnings: readonly string[],
): void {
  const { cache, namespace } = run;
  if (cache && namespace && !run.cacheBroken) {
    try {
      cache.put(namespace, texts, received);
    } catch (error) {
      // A full disk or a read-only cache folder must not throw away vectors already paid for: the
      // run goes on without caching, and says so once.
      run.cacheBroken = true;
      const reason = error instanceof Error ? error.message : String(error);
      run.warningCounts.set(
        `the embedding cache could not be written, so this run caches nothing more: ${reason}`,
        1,
      );
    }
    if (!run.cacheBroken && warnings.length > 0) {
      try {
        cache.putWarnings(namespace, texts, warnings);
      } catch {
        // Only the warning's repetition on a cached rerun is lost; this run reports it.
      }
    }
  }
  if (run.keepVectors || run.cacheBroken) {
    indices.forEach((index, item) => {
      run.vectors[index] = received[item];
    });
  }
}

export function countWarning(run: EmbedRun, warning: string): void {
  run.warningCounts.set(warning, (run.warningCounts.get(warning) ?? 0) + 1);
}

/** The error a cancelled run throws: how far it got, what is cached, and how many calls were abandoned. */
export function cancelledError(run: EmbedRun, abandoned: number): CancelledError {
  const what = run.cache
    ? "embedded and cached; rerun to resume"
    : "embedded; nothing was cached (--no-cache)";
  const lost =
    abandoned > 0
      ? ` ${abandoned} call${abandoned === 1 ? "" : "s"} still in flight after the ${run.graceMilliseconds / 1000} s grace ${abandoned === 1 ? "was" : "were"} abandoned.`
      : "";
  return new CancelledError(`Cancelled: ${run.done} of ${run.distinct.length} texts ${what}.${lost}`);
}
