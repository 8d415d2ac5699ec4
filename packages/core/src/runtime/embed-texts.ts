import { setMaxListeners } from "node:events";
import type { EmbeddingProvider, EmbedRequest, EmbedResponse, InputType } from "@embedeval/provider-contract";
import {
  CancelledError,
  ConfigError,
  EmbedEvalError,
  estimateTokens,
  ProviderError,
} from "@embedeval/provider-contract";
import { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";
import { planBatches } from "./batch-plan.js";
import { type CacheNamespace, cacheNamespaceFor } from "./cache/cache-namespace.js";
import type { EmbeddingCache } from "./cache/embedding-cache.js";
import { lookupPricePerMillionTokens } from "./price-table.js";
import { validateEmbeddings } from "./response-validation.js";
import { type BackoffSettings, backoffDelay, defaultBackoffSettings } from "./retry-backoff.js";
import { type RuntimeClock, systemClock } from "./runtime-clock.js";
import type { RuntimeSettings } from "./runtime-settings.js";
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
  /** Ctrl-C: stops scheduling, aborts calls in flight, keeps what arrived, throws CancelledError. */
  signal?: AbortSignal;
  /** Distinct texts with a vector so far (cached or received), of the distinct texts asked for. */
  onProgress?: (done: number, total: number) => void;
  /** USD per million tokens; undefined: looked up in the built-in list (null when unknown there). */
  pricePerMillionTokens?: number | null;
  /** Also records into this recorder, to total queries and documents of one task. */
  usage?: UsageRecorder;
  /** Share one limiter between invocations for the same model so its learned pace carries over. */
  rateLimiter?: AdaptiveRateLimiter;
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
}

export async function embedTexts(options: EmbedTextsOptions): Promise<EmbedTextsResult> {
  const { provider, settings, cache, signal } = options;
  checkSettings(settings);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const backoff = { ...defaultBackoffSettings, ...options.backoff };
  const price =
    options.pricePerMillionTokens === undefined
      ? lookupPricePerMillionTokens(provider.modelId)
      : options.pricePerMillionTokens;
  const recorder = new UsageRecorder({ pricePerMillionTokens: price });
  // Warnings repeat per call (one per batch); kept once each, with how many calls raised them.
  const warningCounts = new Map<string, number>();
  let cacheBroken = false;

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
  const vectors: (Float32Array | undefined)[] =
    cache && namespace && keepVectors
      ? cache.get(namespace, distinct, declared)
      : new Array(distinct.length).fill(undefined);
  const cachedDimensions: (number | undefined)[] =
    cache && namespace && !keepVectors
      ? cache.cachedDimensions(namespace, distinct, declared)
      : vectors.map((vector) => vector?.length);
  let expectedDimension = provider.capabilities.dimensions;
  const missing: number[] = [];
  for (let index = 0; index < distinct.length; index += 1) {
    const dimension = cachedDimensions[index];
    if (dimension !== undefined) expectedDimension ??= dimension;
    // Same namespace but another dimension cannot come from this configuration: embed it again.
    if (dimension === undefined || dimension !== expectedDimension) {
      vectors[index] = undefined;
      missing.push(index);
    }
  }
  let done = distinct.length - missing.length;
  recorder.recordCacheHits(done);
  options.onProgress?.(done, distinct.length);

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
  }));
  const concurrency = provider.capabilities.supportsParallelCalls ? settings.maxConcurrency : 1;
  const limiter =
    options.rateLimiter ?? new AdaptiveRateLimiter({ requestsPerMinute: settings.requestsPerMinute }, clock);
  const timeoutMilliseconds = settings.timeoutSeconds * 1000;

  let failure: unknown;
  let firstStart: number | undefined;
  let lastEnd: number | undefined;
  const retryQueue: Job[] = [];
  let nextJob = 0;
  let active = 0;
  let sleeping = 0;
  // Aborted on cancel or on the first failure: ends waits for a pace slot or a backoff at once, so an
  // error surfaces without sitting out other batches' backoff. Calls in flight are not tied to it:
  // on failure they finish (and are cached); on cancel the caller's signal aborts them.
  const stop = new AbortController();
  // Mirrors the caller's signal, so each call in flight listens here rather than on the caller's
  // signal (which would warn past ten listeners with a high maxConcurrency).
  const cancel = new AbortController();
  // One listener per waiting batch is expected here, not a leak.
  setMaxListeners(0, stop.signal, cancel.signal);
  const stopOnCancel = (): void => {
    cancel.abort(signal?.reason);
    stop.abort(signal?.reason);
  };
  if (signal?.aborted) stopOnCancel();
  signal?.addEventListener("abort", stopOnCancel, { once: true });
  const fail = (error: unknown): void => {
    failure ??= error;
    stop.abort(error);
  };
  const stopped = (): boolean => stop.signal.aborted;

  const attempt = async (job: Job, wake: () => void): Promise<void> => {
    let startedAt: number;
    try {
      startedAt = await limiter.acquire(stop.signal);
    } catch {
      return; // cancelled or failed while waiting for a slot
    }
    if (stopped()) return;
    const texts = job.indices.map((index) => distinct[index] as string);
    const timer = clock.timeout(timeoutMilliseconds);
    const call = combineSignals(cancel.signal, timer.signal);
    firstStart ??= startedAt;
    const callStart = clock.now();
    try {
      const response = await callProvider(provider, {
        texts,
        inputType: options.inputType,
        signal: call.signal,
      });
      const milliseconds = clock.now() - callStart;
      expectedDimension = validateEmbeddings(provider, response?.embeddings, texts.length, expectedDimension);
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
      const usage = response.usage ?? { tokens: estimateTokens(texts), source: "estimated" as const };
      recorder.recordCall({
        texts: texts.length,
        milliseconds,
        tokens: usage.tokens,
        tokensSource: usage.source,
      });
      limiter.onSuccess(startedAt);
      done += texts.length;
    } catch (error) {
      if (signal?.aborted) return; // cancellation, not a provider failure
      if (EmbedEvalError.is(error) && error.code !== "provider") {
        fail(error); // a cache write failure, for instance: not the provider's fault
        return;
      }
      const providerError = asProviderError(provider, error, timer.signal.aborted, settings.timeoutSeconds);
      if (providerError.throttled) {
        job.throttlesInARow += 1;
        limiter.onThrottle(startedAt, job.throttlesInARow);
      } else {
        job.throttlesInARow = 0;
      }
      if (providerError.retryable && job.retries < settings.maxRetries) {
        job.retries += 1;
        recorder.recordRetry(providerError.throttled);
        const delay = backoffDelay(job.retries, backoff, random, providerError.retryAfterMs);
        // The job waits outside the concurrency limit, so other batches keep the slots busy meanwhile.
        sleeping += 1;
        clock.sleep(delay, stop.signal).then(
          () => {
            sleeping -= 1;
            retryQueue.push(job);
            wake();
          },
          () => {
            sleeping -= 1;
            wake();
          },
        );
        return;
      }
      if (providerError.throttled) recorder.recordThrottle();
      fail(giveUp(providerError, job.retries));
    } finally {
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

  if (firstStart !== undefined && lastEnd !== undefined) recorder.recordEmbeddingTime(lastEnd - firstStart);
  cache?.flush();
  options.usage?.merge(recorder);

  signal?.removeEventListener("abort", stopOnCancel);
  // A cancel that came after the last answer cancelled nothing: return the complete result.
  if (signal?.aborted && done < distinct.length) {
    const what = cache ? "embedded and cached; rerun to resume" : "embedded; nothing was cached (--no-cache)";
    throw new CancelledError(`Cancelled: ${done} of ${distinct.length} texts ${what}.`);
  }
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
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0) {
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
): ProviderError {
  if (timedOut) {
    return new ProviderError(
      `${provider.provider} ${provider.modelId}: no answer within ${timeoutSeconds} s`,
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

/** The error to surface once retries are exhausted: the provider's own words, plus how many retries. */
function giveUp(error: ProviderError, retries: number): ProviderError {
  if (retries === 0) return error;
  return new ProviderError(
    `${error.message} (gave up after ${retries} ${retries === 1 ? "retry" : "retries"})`,
    {
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
          ? "The provider kept throttling: lower `runtime.maxConcurrency` or `runtime.requestsPerMinute`, raise `runtime.maxRetries`, or ask for a higher quota."
          : "Raise `runtime.maxRetries`, or rerun later: vectors received so far are cached."),
    },
  );
}
