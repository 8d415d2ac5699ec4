import { setMaxListeners } from "node:events";
import type {
  BulkEmbedding,
  EmbeddingProvider,
  EmbedRequest,
  EmbedResponse,
  InputType,
} from "@embedeval/provider-contract";
import {
  CancelledError,
  ConfigError,
  EmbedEvalError,
  estimateTokens,
  ProviderError,
} from "@embedeval/provider-contract";
import { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";
import { planBatches } from "./batch-plan.js";
import type { CacheClaim } from "./cache/cache-claim.js";
import { type CacheNamespace, cacheNamespaceFor } from "./cache/cache-namespace.js";
import type { EmbeddingCache } from "./cache/embedding-cache.js";
import type { Admission, CircuitBreaker } from "./circuit-breaker.js";
import { embedInBulk } from "./embed-in-bulk.js";
import { lookupPricePerMillionTokens } from "./price-table.js";
import { validateEmbeddings } from "./response-validation.js";
import { type BackoffSettings, backoffDelay, defaultBackoffSettings } from "./retry-backoff.js";
import { type RuntimeClock, systemClock } from "./runtime-clock.js";
import { describeRuntimeEvent, type RuntimeEvent } from "./runtime-event.js";
import {
  defaultCancelGraceSeconds,
  defaultRetryAfterCapSeconds,
  defaultRetryBudgetSeconds,
  type RuntimeSettings,
} from "./runtime-settings.js";
import { type LatencySummary, UsageRecorder } from "./usage-recorder.js";
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

interface Job {
  /** Positions into the distinct texts. */
  indices: number[];
  /** Retries made so far. */
  retries: number;
  /** Throttles in a row, for the rate limiter. */
  throttlesInARow: number;
  /** Clock time of the first attempt: the retry budget runs from here. */
  firstStartedAt: number | undefined;
  /** The last retryable failure, surfaced if the budget runs out while the batch waits. */
  lastError: ProviderError | undefined;
}

export async function embedTexts(options: EmbedTextsOptions): Promise<EmbedTextsResult> {
  const { provider, settings, cache, signal } = options;
  checkSettings(settings);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const backoff = { ...defaultBackoffSettings, ...options.backoff };
  const budgetMilliseconds = (settings.retryBudgetSeconds ?? defaultRetryBudgetSeconds) * 1000;
  const retryAfterCapMilliseconds = (settings.retryAfterCapSeconds ?? defaultRetryAfterCapSeconds) * 1000;
  const graceMilliseconds = (settings.cancelGraceSeconds ?? defaultCancelGraceSeconds) * 1000;
  const price =
    options.pricePerMillionTokens === undefined
      ? lookupPricePerMillionTokens(provider.modelId)
      : options.pricePerMillionTokens;
  const recorder = new UsageRecorder({ pricePerMillionTokens: price });
  // Warnings repeat per call (one per batch); kept once each, with how many calls raised them.
  const warningCounts = new Map<string, number>();
  const emit = (event: RuntimeEvent): void => {
    for (const listener of [options.onEvent, options.rateLimiter?.onEvent]) {
      try {
        listener?.(event);
      } catch {
        // A broken listener must not fail paid work; events only inform.
      }
    }
  };
  let cacheBroken = false;
  const damageBefore = cache ? cacheDamage(cache) : 0;

  // Identical texts are embedded once (corpora repeat titles, boilerplate, empty bodies).
  const positions = new Int32Array(options.texts.length);
  const distinct: string[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < options.texts.length; index += 1) {
    const text = options.texts[index] as string;
    let position = seen.get(text);
    if (position === undefined) {
      position = distinct.length;
      seen.set(text, position);
      distinct.push(text);
    }
    positions[index] = position;
  }

  const namespace: CacheNamespace | undefined = cache
    ? cacheNamespaceFor(provider, options.inputType, options.modelRevision)
    : undefined;
  const keepVectors = options.keepVectors ?? true;
  if (!keepVectors && !cache) {
    throw new EmbedEvalError(
      "internal",
      "embedTexts: keepVectors: false needs a cache to keep the vectors in",
    );
  }
  // Kept vectors (or, with keepVectors: false, only those the cache could not take); the dimension of
  // what the cache holds for each distinct text, before this run adds to it.
  // A record of another dimension than the provider declares counts as a miss: it is embedded again.
  const declared = provider.capabilities.dimensions;
  const vectors: (Float32Array | undefined)[] = new Array(distinct.length).fill(undefined);
  let expectedDimension = provider.capabilities.dimensions;
  /**
   * Looks `candidates` up in the cache; returns those still missing. `again`: they were looked up (and
   * counted as misses) before; those found now count as hits instead.
   */
  const readCache = (candidates: number[], again = false): number[] => {
    if (!cache || !namespace) return candidates;
    const texts = candidates.map((index) => distinct[index] as string);
    const found: (Float32Array | undefined)[] = keepVectors ? cache.get(namespace, texts, declared) : [];
    const dimensions = keepVectors
      ? found.map((vector) => vector?.length)
      : cache.cachedDimensions(namespace, texts, declared);
    // The first lookup counted every one of these as a miss; this one counts them as they are now.
    if (again) cache.forgetMisses(texts.length);
    const stillMissing: number[] = [];
    candidates.forEach((index, item) => {
      // A vector with NaN or infinity in the cache (checksummed, so written so: by an older version or by
      // hand) would poison the search: it is embedded again, and counted as a repair.
      const vector = found[item];
      if (vector && !allFinite(vector)) {
        unusableCached.add(index);
        stillMissing.push(index);
        return;
      }
      const dimension = dimensions[item];
      if (dimension !== undefined) expectedDimension ??= dimension;
      // Same namespace but another dimension cannot come from this configuration: embed it again.
      if (dimension === undefined || dimension !== expectedDimension) stillMissing.push(index);
      else if (keepVectors) vectors[index] = found[item];
    });
    return stillMissing;
  };
  const unusableCached = new Set<number>();
  let missing = readCache(distinct.map((_, index) => index));
  let done = distinct.length - missing.length;
  options.onProgress?.(done, distinct.length);

  const cancelledError = (abandoned: number): CancelledError => {
    const what = cache ? "embedded and cached; rerun to resume" : "embedded; nothing was cached (--no-cache)";
    const lost =
      abandoned > 0
        ? ` ${abandoned} call${abandoned === 1 ? "" : "s"} still in flight after the ${graceMilliseconds / 1000} s grace ${abandoned === 1 ? "was" : "were"} abandoned.`
        : "";
    return new CancelledError(`Cancelled: ${done} of ${distinct.length} texts ${what}.${lost}`);
  };

  // Another run embedding into the same namespace goes first; what it wrote is then read, not paid again.
  let claim: CacheClaim | undefined;
  if (cache && namespace && missing.length > 0 && !signal?.aborted) {
    const claimStarted = clock.now();
    try {
      claim = await cache.claim(namespace, {
        ...(signal ? { signal } : {}),
        sleep: (milliseconds, wait) => clock.sleep(milliseconds, wait),
        onWait: (owner) => emit({ kind: "waiting-for-cache", owner }),
      });
    } catch (error) {
      if (signal?.aborted) throw cancelledError(0);
      throw error;
    }
    if (claim.waited) emit({ kind: "cache-turn", seconds: (clock.now() - claimStarted) / 1000 });
    // Read again whatever the wait: a run that held the claim between our lookup and our claim (even
    // one we never saw waiting for) wrote before releasing it, and those texts are paid for already.
    cache.refresh(namespace);
    missing = readCache(missing, true);
    done = distinct.length - missing.length;
    if (claim.waited) options.onProgress?.(done, distinct.length);
  }
  recorder.recordCacheHits(done);
  // The warnings the provider raised when it embedded the texts found in the cache: the same result
  // file whether they were paid for now or in an earlier run.
  if (cache && namespace && done > 0) {
    const stillMissing = new Set(missing);
    const found = distinct.filter((_, index) => !stillMissing.has(index));
    for (const [warning, count] of cache.warningsFor(namespace, found))
      warningCounts.set(warning, (warningCounts.get(warning) ?? 0) + count);
  }

  try {
    if (provider.bulk && missing.length > 0 && provider.bulk.accepts(missing.length, options.inputType)) {
      await embedMissingInBulk(provider.bulk);
    }
    return await embedMissing();
  } finally {
    claim?.release();
  }

  /** Asynchronous jobs (Bedrock batch inference) for what the cache lacks, when the provider takes that many. */
  async function embedMissingInBulk(bulk: BulkEmbedding): Promise<void> {
    const started = clock.now();
    const outcome = await embedInBulk({
      provider,
      bulk,
      texts: missing.map((index) => distinct[index] as string),
      inputType: options.inputType,
      signal,
      expectedDimension,
      pricePerMillionTokens: price,
      recorder,
      emit,
      // Cached the moment a job ends, as calls are: a job that fails later loses nothing paid for.
      store: (positions, received, warnings) => {
        const indices = positions.map((position) => missing[position] as number);
        const texts = indices.map((index) => distinct[index] as string);
        if (cache && namespace && !cacheBroken) {
          try {
            cache.put(namespace, texts, received);
          } catch (error) {
            cacheBroken = true;
            const reason = error instanceof Error ? error.message : String(error);
            warningCounts.set(
              `the embedding cache could not be written, so this run caches nothing more: ${reason}`,
              1,
            );
          }
          if (!cacheBroken && warnings.length > 0) {
            try {
              cache.putWarnings(namespace, texts, warnings);
            } catch {
              // Only the warning's repetition on a cached rerun is lost; this run reports it.
            }
          }
        }
        if (keepVectors || cacheBroken) {
          indices.forEach((index, item) => {
            vectors[index] = received[item];
          });
        }
      },
      onProgress: (embedded) => options.onProgress?.(done + embedded, distinct.length),
      warn: (warning) => warningCounts.set(warning, (warningCounts.get(warning) ?? 0) + 1),
    });
    recorder.recordEmbeddingTime(clock.now() - started);
    expectedDimension = outcome.expectedDimension;
    missing = outcome.missing.map((position) => missing[position] as number);
    done = distinct.length - missing.length;
    if (outcome.error === undefined && !signal?.aborted) return;
    cache?.flush();
    options.usage?.merge(recorder);
    if (signal?.aborted) throw cancelledError(0);
    throw outcome.error;
  }

  async function embedMissing(): Promise<EmbedTextsResult> {
    const maxInputs = Math.min(
      settings.batchSize ?? provider.capabilities.maxInputsPerCall,
      provider.capabilities.maxInputsPerCall,
    );
    const batches = planBatches(
      missing.map((index) => distinct[index] as string),
      { maxInputs, maxRequestBytes: provider.capabilities.maxRequestBytes },
    );
    const jobs: Job[] = batches.map((batch) => ({
      indices: batch.map((item) => missing[item] as number),
      retries: 0,
      throttlesInARow: 0,
      firstStartedAt: undefined,
      lastError: undefined,
    }));
    const concurrency = provider.capabilities.supportsParallelCalls ? settings.maxConcurrency : 1;
    const limiter =
      options.rateLimiter ??
      new AdaptiveRateLimiter({ requestsPerMinute: settings.requestsPerMinute }, clock);
    const breaker = options.circuitBreaker ?? limiter.circuitBreaker;
    const timeoutMilliseconds = settings.timeoutSeconds * 1000;

    let failure: unknown;
    let firstStart: number | undefined;
    let lastEnd: number | undefined;
    const retryQueue: Job[] = [];
    let nextJob = 0;
    let active = 0;
    let sleeping = 0;
    let inFlight = 0;
    let abandoned = 0;
    let retryAfterCapReported = false;
    // Aborted on cancel or on the first failure: ends waits for a pace slot, the circuit or a backoff at
    // once, so no new call starts. Calls in flight are not tied to it: on failure they finish (and are
    // cached); on cancel they get a grace period to do the same, then `cancel` aborts them.
    const stop = new AbortController();
    // Aborts the calls in flight; each call listens here rather than on the caller's signal (which would
    // warn past ten listeners with a high maxConcurrency).
    const cancel = new AbortController();
    const grace = new AbortController();
    // One listener per waiting batch is expected here, not a leak.
    setMaxListeners(0, stop.signal, cancel.signal);
    const stopOnCancel = (): void => {
      stop.abort(signal?.reason);
      if (inFlight === 0) {
        cancel.abort(signal?.reason);
        return;
      }
      // Calls in flight are paid for whether we wait for them or not: give them time to answer.
      emit({ kind: "draining", inFlight, graceSeconds: graceMilliseconds / 1000 });
      clock.sleep(graceMilliseconds, grace.signal).then(
        () => cancel.abort(signal?.reason),
        () => undefined,
      );
    };
    if (signal?.aborted) stopOnCancel();
    signal?.addEventListener("abort", stopOnCancel, { once: true });
    const fail = (error: unknown): void => {
      failure ??= error;
      stop.abort(error);
    };
    const stopped = (): boolean => stop.signal.aborted;

    // Batches waiting out a backoff; woken early when the circuit closes (the service is back).
    const sleepers = new Set<AbortController>();
    let pausedAt: number | undefined;
    let lastFailure = "";
    const unsubscribe = breaker.subscribe((change) => {
      if (change.state === "open" && pausedAt === undefined) {
        pausedAt = change.openedAt;
        emit({ kind: "paused", reason: lastFailure, pauseSeconds: change.pauseMilliseconds / 1000 });
      } else if (change.state === "closed") {
        if (pausedAt !== undefined) {
          const milliseconds = clock.now() - pausedAt;
          recorder.recordOutagePause(milliseconds);
          emit({ kind: "resumed", seconds: milliseconds / 1000 });
          pausedAt = undefined;
        }
        for (const sleeper of sleepers) sleeper.abort();
      }
    });
    let throttledSince: number | undefined;
    const throttlingOver = (): void => {
      if (throttledSince === undefined) return;
      const milliseconds = clock.now() - throttledSince;
      recorder.recordThrottledPeriod(milliseconds);
      emit({ kind: "throttling-over", seconds: milliseconds / 1000 });
      throttledSince = undefined;
    };

    const attempt = async (job: Job, wake: () => void): Promise<void> => {
      const deadline = job.firstStartedAt === undefined ? undefined : job.firstStartedAt + budgetMilliseconds;
      let admission: Admission;
      try {
        admission = await breaker.admit(stop.signal, deadline);
      } catch {
        return; // cancelled or failed while the circuit was open
      }
      if (admission === "expired") {
        fail(giveUp(job.lastError as ProviderError, job.retries, "budget", budgetMilliseconds));
        return;
      }
      const probe = admission === "probe";
      let startedAt: number;
      try {
        startedAt = await limiter.acquire(stop.signal);
      } catch {
        breaker.onNeutral(probe);
        return; // cancelled or failed while waiting for a slot
      }
      if (stopped()) {
        breaker.onNeutral(probe);
        return;
      }
      const texts = job.indices.map((index) => distinct[index] as string);
      const timer = clock.timeout(timeoutMilliseconds);
      const call = combineSignals(cancel.signal, timer.signal);
      firstStart ??= startedAt;
      job.firstStartedAt ??= startedAt;
      const callStart = clock.now();
      inFlight += 1;
      try {
        const response = await callProvider(provider, {
          texts,
          inputType: options.inputType,
          signal: call.signal,
        });
        const milliseconds = clock.now() - callStart;
        expectedDimension = validateEmbeddings(
          provider,
          response?.embeddings,
          texts.length,
          expectedDimension,
        );
        // Cached the moment it arrives: a run killed later loses only the calls still in flight.
        if (cache && namespace && !cacheBroken) {
          try {
            cache.put(namespace, texts, response.embeddings);
          } catch (error) {
            // A full disk or a read-only cache folder must not throw away vectors already paid for: the
            // run goes on without caching, and says so once.
            cacheBroken = true;
            const reason = error instanceof Error ? error.message : String(error);
            warningCounts.set(
              `the embedding cache could not be written, so this run caches nothing more: ${reason}`,
              1,
            );
          }
        }
        // Held in memory unless the cache holds them for a run that streams from it.
        if (keepVectors || cacheBroken) {
          for (let item = 0; item < job.indices.length; item += 1) {
            vectors[job.indices[item] as number] = response.embeddings[item];
          }
        }
        for (const warning of response.warnings ?? [])
          warningCounts.set(warning, (warningCounts.get(warning) ?? 0) + 1);
        if (cache && namespace && !cacheBroken && response.warnings?.length) {
          try {
            cache.putWarnings(namespace, texts, response.warnings);
          } catch {
            // Only the warning's repetition on a cached rerun is lost; this run reports it.
          }
        }
        const usage = response.usage ?? { tokens: estimateTokens(texts), source: "estimated" as const };
        recorder.recordCall({
          texts: texts.length,
          milliseconds,
          tokens: usage.tokens,
          tokensSource: usage.source,
        });
        limiter.onSuccess(startedAt);
        breaker.onSuccess(probe);
        throttlingOver();
        done += texts.length;
      } catch (error) {
        if (cancel.signal.aborted) {
          // Cut off by cancellation (after the grace period), not a provider failure.
          abandoned += 1;
          breaker.onNeutral(probe);
          return;
        }
        if (EmbedEvalError.is(error) && error.code !== "provider") {
          breaker.onNeutral(probe);
          fail(error); // a cache write failure, for instance: not the provider's fault
          return;
        }
        const providerError = asProviderError(
          provider,
          error,
          timer.signal.aborted,
          settings.timeoutSeconds,
          options.endpoint,
        );
        if (!providerError.retryable) {
          breaker.onNeutral(probe);
          fail(giveUp(providerError, job.retries, "count", budgetMilliseconds));
          return;
        }
        job.lastError = providerError;
        lastFailure = firstLine(providerError.message);
        if (providerError.throttled) {
          job.throttlesInARow += 1;
          // While the circuit is open the service refuses everything whatever the pace (a burst, an
          // outage): the pause is the answer, and lowering the pace too would only slow the recovery.
          if (breaker.current === "closed") limiter.onThrottle(startedAt, job.throttlesInARow);
          if (throttledSince === undefined) {
            throttledSince = clock.now();
            emit({ kind: "throttled", requestsPerMinute: limiter.snapshot().requestsPerMinute });
          }
        } else {
          job.throttlesInARow = 0;
        }
        // The service's Retry-After is honoured up to the cap: an hour-long one would stall the run silently.
        const asked = providerError.retryAfterMs;
        const retryAfter = asked === undefined ? undefined : Math.min(asked, retryAfterCapMilliseconds);
        if (asked !== undefined && asked > retryAfterCapMilliseconds && !retryAfterCapReported) {
          retryAfterCapReported = true;
          const event = {
            kind: "retry-after-capped" as const,
            requestedSeconds: asked / 1000,
            capSeconds: retryAfterCapMilliseconds / 1000,
          };
          warningCounts.set(describeRuntimeEvent(event), 1);
          emit(event);
        }
        breaker.onFailure(probe, retryAfter);
        // With the circuit open the batch waits for it (the probe decides when), not for its own backoff.
        const circuitOpen = breaker.current !== "closed";
        const delay = circuitOpen ? 0 : backoffDelay(job.retries + 1, backoff, random, retryAfter);
        const overCount = settings.maxRetries !== undefined && job.retries >= settings.maxRetries;
        const overBudget = clock.now() + delay > (job.firstStartedAt as number) + budgetMilliseconds;
        if (overCount || overBudget) {
          if (providerError.throttled) recorder.recordThrottle();
          fail(giveUp(providerError, job.retries, overCount ? "count" : "budget", budgetMilliseconds));
          return;
        }
        job.retries += 1;
        recorder.recordRetry(providerError.throttled);
        if (circuitOpen) {
          retryQueue.push(job);
          return;
        }
        // The job waits outside the concurrency limit, so other batches keep the slots busy meanwhile.
        sleeping += 1;
        const sleeper = new AbortController();
        const onStop = (): void => sleeper.abort();
        stop.signal.addEventListener("abort", onStop, { once: true });
        sleepers.add(sleeper);
        const settle = (): void => {
          sleepers.delete(sleeper);
          stop.signal.removeEventListener("abort", onStop);
          sleeping -= 1;
          if (!stopped()) retryQueue.push(job);
          wake();
        };
        clock.sleep(delay, sleeper.signal).then(settle, settle);
        return;
      } finally {
        inFlight -= 1;
        timer.clear();
        call.release();
        lastEnd = clock.now();
      }
      // Apart from the call: a failing progress callback is the caller's error, not the provider's.
      try {
        options.onProgress?.(done, distinct.length);
      } catch (error) {
        fail(error);
      }
    };

    if (jobs.length > 0) {
      await new Promise<void>((resolve) => {
        const pump = (): void => {
          while (!stopped() && active < concurrency) {
            const job = retryQueue.shift() ?? (nextJob < jobs.length ? jobs[nextJob++] : undefined);
            if (!job) break;
            active += 1;
            void attempt(job, pump).then(() => {
              active -= 1;
              pump();
            });
          }
          const drained = retryQueue.length === 0 && nextJob >= jobs.length;
          if (active === 0 && sleeping === 0 && (stopped() || drained)) {
            stop.signal.removeEventListener("abort", pump);
            resolve();
          }
        };
        stop.signal.addEventListener("abort", pump, { once: true });
        pump();
      });
    }
    grace.abort();
    unsubscribe();
    throttlingOver();
    if (pausedAt !== undefined) recorder.recordOutagePause(clock.now() - pausedAt);

    if (firstStart !== undefined && lastEnd !== undefined) recorder.recordEmbeddingTime(lastEnd - firstStart);
    if (cache) {
      cache.flush();
      recorder.recordCacheRepairs(cacheDamage(cache) - damageBefore + unusableCached.size);
    }
    options.usage?.merge(recorder);

    signal?.removeEventListener("abort", stopOnCancel);
    // A cancel that came after the last answer cancelled nothing: return the complete result.
    if (signal?.aborted && done < distinct.length) throw cancelledError(abandoned);
    if (failure !== undefined) throw failure;

    const warnings = [...warningCounts].map(([warning, count]) =>
      count > 1 ? `${warning} (${count} calls)` : warning,
    );
    const summary = { usage: recorder.summary(), latencyPerTextMs: recorder.latencyPerText(), warnings };
    if (!keepVectors && namespace) {
      const notCached = new Map<string, Float32Array>();
      vectors.forEach((vector, index) => {
        if (vector) notCached.set(distinct[index] as string, vector);
      });
      return { embeddings: [], cached: { namespace, dimension: expectedDimension, notCached }, ...summary };
    }
    const embeddings = new Array<Float32Array>(options.texts.length);
    for (let index = 0; index < positions.length; index += 1) {
      embeddings[index] = vectors[positions[index] as number] as Float32Array;
    }
    return { embeddings, ...summary };
  }
}

/** Damaged records and files the cache has skipped so far: each one is a repair (its texts are embedded again). */
function cacheDamage(cache: EmbeddingCache): number {
  const stats = cache.stats();
  return stats.damagedRecords + stats.ignoredFiles;
}

function allFinite(vector: Float32Array): boolean {
  for (let index = 0; index < vector.length; index += 1) {
    if (!Number.isFinite(vector[index] as number)) return false;
  }
  return true;
}

function firstLine(message: string): string {
  const line = message.split("\n", 1)[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function checkSettings(settings: RuntimeSettings): void {
  const positiveInteger = (value: number | undefined, key: string, optional: boolean): void => {
    if (value === undefined && optional) return;
    if (value === undefined || !Number.isInteger(value) || value < 1) {
      throw new ConfigError(`runtime.${key} must be a whole number of at least 1, got ${value}`, {
        key: `runtime.${key}`,
      });
    }
  };
  positiveInteger(settings.maxConcurrency, "maxConcurrency", false);
  positiveInteger(settings.batchSize, "batchSize", true);
  if (
    settings.maxRetries !== undefined &&
    (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0)
  ) {
    throw new ConfigError(
      `runtime.maxRetries must be a whole number of at least 0, got ${settings.maxRetries}`,
      {
        key: "runtime.maxRetries",
      },
    );
  }
  if (!(settings.timeoutSeconds > 0)) {
    throw new ConfigError(`runtime.timeoutSeconds must be above 0, got ${settings.timeoutSeconds}`, {
      key: "runtime.timeoutSeconds",
    });
  }
  for (const key of ["retryBudgetSeconds", "retryAfterCapSeconds", "cancelGraceSeconds"] as const) {
    const value = settings[key];
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      throw new ConfigError(`runtime.${key} must be a number of seconds of at least 0, got ${value}`, {
        key: `runtime.${key}`,
      });
    }
  }
  if (settings.requestsPerMinute !== undefined && !(settings.requestsPerMinute > 0)) {
    throw new ConfigError(`runtime.requestsPerMinute must be above 0, got ${settings.requestsPerMinute}`, {
      key: "runtime.requestsPerMinute",
    });
  }
}

/**
 * Calls the plugin, but settles as soon as the signal aborts even if the plugin ignores the signal:
 * a hung plugin must not hang the run.
 */
function callProvider(provider: EmbeddingProvider, request: EmbedRequest): Promise<EmbedResponse> {
  const signal = request.signal as AbortSignal;
  return new Promise<EmbedResponse>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let pending: Promise<EmbedResponse>;
    try {
      pending = Promise.resolve(provider.embed(request));
    } catch (error) {
      signal.removeEventListener("abort", onAbort);
      reject(error);
      return;
    }
    pending.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** One signal that aborts when either does; `release` detaches it from the long-lived run signal. */
function combineSignals(
  run: AbortSignal | undefined,
  timeout: AbortSignal,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const fromRun = (): void => controller.abort(run?.reason);
  const fromTimeout = (): void => controller.abort(timeout.reason);
  if (run?.aborted) controller.abort(run.reason);
  run?.addEventListener("abort", fromRun, { once: true });
  timeout.addEventListener("abort", fromTimeout, { once: true });
  return {
    signal: controller.signal,
    release() {
      run?.removeEventListener("abort", fromRun);
      timeout.removeEventListener("abort", fromTimeout);
    },
  };
}

function asProviderError(
  provider: EmbeddingProvider,
  error: unknown,
  timedOut: boolean,
  timeoutSeconds: number,
  endpoint: string | undefined,
): ProviderError {
  if (timedOut) {
    return new ProviderError(
      `${provider.provider} ${provider.modelId}: no answer within ${timeoutSeconds} s${endpoint ? ` from ${endpoint}` : ""}`,
      {
        provider: provider.provider,
        retryable: true,
        providerCode: "Timeout",
        hint: "Raise `runtime.timeoutSeconds` for this model, or lower `runtime.batchSize` so each call does less.",
      },
    );
  }
  if (ProviderError.isProviderError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(
    `${provider.provider} ${provider.modelId}: the plugin failed unexpectedly: ${message}`,
    {
      provider: provider.provider,
      retryable: false,
      cause: error,
      hint: "This is a bug in the provider plugin: plugins report failures as ProviderError (see the provider contract).",
    },
  );
}

/**
 * The error to surface once retries are exhausted: the provider's own words, plus how many retries and,
 * when the time budget ran out, over how long.
 */
function giveUp(
  error: ProviderError,
  retries: number,
  limit: "count" | "budget",
  budgetMilliseconds: number,
): ProviderError {
  if (retries === 0 && limit === "count") return error;
  const tried = `${retries} ${retries === 1 ? "retry" : "retries"}`;
  const budget = `${budgetMilliseconds / 1000} s`;
  const suffix =
    limit === "count" ? `gave up after ${tried}` : `gave up after ${tried} within the ${budget} retry budget`;
  return new ProviderError(`${error.message} (${suffix})`, {
    provider: error.provider,
    retryable: error.retryable,
    throttled: error.throttled,
    status: error.status,
    providerCode: error.providerCode,
    retryAfterMs: error.retryAfterMs,
    requestId: error.requestId,
    cause: error,
    hint:
      error.hint ??
      (error.throttled
        ? "The provider kept throttling: lower `runtime.maxConcurrency` or `runtime.requestsPerMinute`, raise `runtime.retryBudgetSeconds`, or ask for a higher quota."
        : limit === "budget"
          ? `The provider kept failing for longer than \`runtime.retryBudgetSeconds\` (${budget}): raise it to ride out longer outages, or rerun later: vectors received so far are cached.`
          : "Raise `runtime.maxRetries` (or remove it: `runtime.retryBudgetSeconds` then bounds retries by time), or rerun later: vectors received so far are cached."),
  });
}
