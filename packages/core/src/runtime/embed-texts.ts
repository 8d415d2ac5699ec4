import { EmbedEvalError } from "@embedeval/provider-contract";
import { assembleResult } from "./assemble-result.js";
import type { CacheClaim } from "./cache/cache-claim.js";
import { cacheNamespaceFor } from "./cache/cache-namespace.js";
import { cacheDamage, readCache } from "./cache-lookup.js";
import { checkRuntimeSettings } from "./check-runtime-settings.js";
import { distinctTexts } from "./distinct-texts.js";
import { embedMissingInBulk } from "./embed-missing-in-bulk.js";
import { cancelledError, type EmbedRun } from "./embed-run.js";
import type { EmbedTextsOptions, EmbedTextsResult } from "./embed-texts-options.js";
import { lookupPricePerMillionTokens } from "./price-table.js";
import { defaultBackoffSettings } from "./retry-backoff.js";
import { systemClock } from "./runtime-clock.js";
import type { RuntimeEvent } from "./runtime-event.js";
import {
  defaultCancelGraceSeconds,
  defaultRetryAfterCapSeconds,
  defaultRetryBudgetSeconds,
} from "./runtime-settings.js";
import { scheduleCalls } from "./schedule-calls.js";
import { UsageRecorder } from "./usage-recorder.js";

export type { EmbedTextsOptions, EmbedTextsResult } from "./embed-texts-options.js";

/**
 * The provider runtime's entry point (see EmbedTextsOptions): removes duplicate texts, reads what the
 * cache holds (after waiting for another run embedding into the same namespace), embeds the rest by bulk
 * jobs when the provider takes that many and by scheduled calls otherwise, and assembles the result.
 */
export async function embedTexts(options: EmbedTextsOptions): Promise<EmbedTextsResult> {
  const { provider, settings, cache, signal } = options;
  checkRuntimeSettings(settings);
  const price =
    options.pricePerMillionTokens === undefined
      ? lookupPricePerMillionTokens(provider.modelId)
      : options.pricePerMillionTokens;
  const emit = (event: RuntimeEvent): void => {
    for (const listener of [options.onEvent, options.rateLimiter?.onEvent]) {
      try {
        listener?.(event);
      } catch {
        // A broken listener must not fail paid work; events only inform.
      }
    }
  };
  const damageBefore = cache ? cacheDamage(cache) : 0;
  const { distinct, positions } = distinctTexts(options.texts);
  const keepVectors = options.keepVectors ?? true;
  if (!keepVectors && !cache) {
    throw new EmbedEvalError(
      "internal",
      "embedTexts: keepVectors: false needs a cache to keep the vectors in",
    );
  }
  const run: EmbedRun = {
    options,
    provider,
    settings,
    cache,
    namespace: cache ? cacheNamespaceFor(provider, options.inputType, options.modelRevision) : undefined,
    signal,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    backoff: { ...defaultBackoffSettings, ...options.backoff },
    budgetMilliseconds: (settings.retryBudgetSeconds ?? defaultRetryBudgetSeconds) * 1000,
    retryAfterCapMilliseconds: (settings.retryAfterCapSeconds ?? defaultRetryAfterCapSeconds) * 1000,
    graceMilliseconds: (settings.cancelGraceSeconds ?? defaultCancelGraceSeconds) * 1000,
    price,
    recorder: new UsageRecorder({ pricePerMillionTokens: price }),
    warningCounts: new Map(),
    emit,
    cacheBroken: false,
    damageBefore,
    positions,
    distinct,
    keepVectors,
    declared: provider.capabilities.dimensions,
    vectors: new Array(distinct.length).fill(undefined),
    expectedDimension: provider.capabilities.dimensions,
    unusableCached: new Set(),
    missing: [],
    done: 0,
  };
  const { namespace, clock, recorder, warningCounts } = run;
  run.missing = readCache(
    run,
    distinct.map((_, index) => index),
  );
  run.done = distinct.length - run.missing.length;
  options.onProgress?.(run.done, distinct.length);

  // Another run embedding into the same namespace goes first; what it wrote is then read, not paid again.
  let claim: CacheClaim | undefined;
  if (cache && namespace && run.missing.length > 0 && !signal?.aborted) {
    const claimStarted = clock.now();
    try {
      claim = await cache.claim(namespace, {
        ...(signal ? { signal } : {}),
        sleep: (milliseconds, wait) => clock.sleep(milliseconds, wait),
        onWait: (owner) => emit({ kind: "waiting-for-cache", owner }),
      });
    } catch (error) {
      if (signal?.aborted) throw cancelledError(run, 0);
      throw error;
    }
    if (claim.waited) emit({ kind: "cache-turn", seconds: (clock.now() - claimStarted) / 1000 });
    // Read again whatever the wait: a run that held the claim between our lookup and our claim (even
    // one we never saw waiting for) wrote before releasing it, and those texts are paid for already.
    cache.refresh(namespace);
    run.missing = readCache(run, run.missing, true);
    run.done = distinct.length - run.missing.length;
    if (claim.waited) options.onProgress?.(run.done, distinct.length);
  }
  recorder.recordCacheHits(run.done);
  // The warnings the provider raised when it embedded the texts found in the cache: the same result
  // file whether they were paid for now or in an earlier run.
  if (cache && namespace && run.done > 0) {
    const stillMissing = new Set(run.missing);
    const found = distinct.filter((_, index) => !stillMissing.has(index));
    for (const [warning, count] of cache.warningsFor(namespace, found))
      warningCounts.set(warning, (warningCounts.get(warning) ?? 0) + count);
  }

  try {
    if (
      provider.bulk &&
      run.missing.length > 0 &&
      provider.bulk.accepts(run.missing.length, options.inputType)
    ) {
      await embedMissingInBulk(run, provider.bulk);
    }
    await scheduleCalls(run);
    return assembleResult(run);
  } finally {
    claim?.release();
  }
}
