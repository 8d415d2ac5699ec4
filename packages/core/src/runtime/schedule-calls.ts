import { EmbedEvalError, estimateTokens, type ProviderError } from "@embedeval/provider-contract";
import { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";
import { planBatches } from "./batch-plan.js";
import { cacheDamage } from "./cache-lookup.js";
import { cancellationGrace } from "./cancellation-grace.js";
import type { Admission } from "./circuit-breaker.js";
import { cancelledError, countWarning, type EmbedRun, storeReceived } from "./embed-run.js";
import { giveUp } from "./give-up.js";
import { asProviderError, callProvider, combineSignals, firstLine } from "./provider-call.js";
import { validateEmbeddings } from "./response-validation.js";
import { backoffDelay } from "./retry-backoff.js";
import { describeRuntimeEvent } from "./runtime-event.js";

/** One batch of distinct texts, as the scheduler tracks it through its attempts. */
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

/**
 * Embeds `run.missing` by calls to the provider: batches them, runs the batches with the concurrency,
 * pace and circuit breaker the settings allow, retries what may be retried within the count and time
 * budget, times each call out, checks and stores each answer, and on cancellation gives the calls in
 * flight a grace period. Throws the first failure, or CancelledError; returns when every batch is done.
 */
export async function scheduleCalls(run: EmbedRun): Promise<void> {
  const {
    options,
    provider,
    settings,
    cache,
    signal,
    clock,
    random,
    backoff,
    budgetMilliseconds,
    retryAfterCapMilliseconds,
    recorder,
    warningCounts,
    emit,
    distinct,
    damageBefore,
    unusableCached,
  } = run;
  const maxInputs = Math.min(
    settings.batchSize ?? provider.capabilities.maxInputsPerCall,
    provider.capabilities.maxInputsPerCall,
  );
  const batches = planBatches(
    run.missing.map((index) => distinct[index] as string),
    { maxInputs, maxRequestBytes: provider.capabilities.maxRequestBytes },
  );
  const jobs: Job[] = batches.map((batch) => ({
    indices: batch.map((item) => run.missing[item] as number),
    retries: 0,
    throttlesInARow: 0,
    firstStartedAt: undefined,
    lastError: undefined,
  }));
  const concurrency = provider.capabilities.supportsParallelCalls ? settings.maxConcurrency : 1;
  const limiter =
    options.rateLimiter ?? new AdaptiveRateLimiter({ requestsPerMinute: settings.requestsPerMinute }, clock);
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
  const { stop, cancel, grace, detach } = cancellationGrace(run, () => inFlight);
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
      run.expectedDimension = validateEmbeddings(
        provider,
        response?.embeddings,
        texts.length,
        run.expectedDimension,
      );
      // Cached the moment it arrives: a run killed later loses only the calls still in flight.
      const warnings = response.warnings ?? [];
      storeReceived(run, job.indices, texts, response.embeddings, warnings);
      for (const warning of warnings) countWarning(run, warning);
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
      run.done += texts.length;
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
      options.onProgress?.(run.done, distinct.length);
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

  detach();
  // A cancel that came after the last answer cancelled nothing: return the complete result.
  if (signal?.aborted && run.done < distinct.length) throw cancelledError(run, abandoned);
  if (failure !== undefined) throw failure;
}
