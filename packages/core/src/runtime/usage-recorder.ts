import { percentile } from "../statistics/percentile.js";
import type { UsageSummary } from "./usage-summary.js";

/**
 * Accumulates what embedding cost: calls, retries, throttles, tokens, latencies. One recorder per
 * (model, task) can span several runtime invocations (queries, then documents), so the summary's
 * percentiles are over every call, not averages of averages.
 */
export interface LatencySummary {
  p50: number;
  p95: number;
  mean: number;
}

export class UsageRecorder {
  readonly pricePerMillionTokens: number | null;
  private calls = 0;
  private retries = 0;
  private throttles = 0;
  private tokens = 0;
  private estimatedCalls = 0;
  private textsEmbedded = 0;
  private cacheHits = 0;
  private readonly callLatencies: number[] = [];
  private readonly textLatencies: number[] = [];
  private embeddingMilliseconds = 0;
  private throttledPeriods = 0;
  private throttledMilliseconds = 0;
  private outagePauses = 0;
  private outageMilliseconds = 0;
  private cacheRepairs = 0;
  private bulkJobs = 0;
  private bulkTexts = 0;
  private bulkTokens = 0;
  private bulkPrice: number | null = null;
  /** USD of the bulk jobs; null once one of them had no known price. */
  private bulkCost: number | null = 0;

  constructor(options: { pricePerMillionTokens?: number | null } = {}) {
    this.pricePerMillionTokens = options.pricePerMillionTokens ?? null;
  }

  /** A successful call of `texts` texts that took `milliseconds`. */
  recordCall(call: {
    texts: number;
    milliseconds: number;
    tokens: number;
    tokensSource: "provider" | "estimated";
  }): void {
    this.calls += 1;
    this.textsEmbedded += call.texts;
    this.tokens += call.tokens;
    if (call.tokensSource === "estimated") this.estimatedCalls += 1;
    this.callLatencies.push(call.milliseconds);
    if (call.texts > 0) this.textLatencies.push(call.milliseconds / call.texts);
  }

  /**
   * One asynchronous job (Bedrock batch inference) that embedded `texts` texts at its own price. Its
   * tokens count in the totals; it is not a call, so it adds no latency.
   */
  recordBulkJob(job: {
    texts: number;
    tokens: number;
    tokensSource: "provider" | "estimated";
    pricePerMillionTokens: number | null;
  }): void {
    this.bulkJobs += 1;
    this.bulkTexts += job.texts;
    this.bulkTokens += job.tokens;
    this.textsEmbedded += job.texts;
    this.tokens += job.tokens;
    if (job.tokensSource === "estimated") this.estimatedCalls += 1;
    this.bulkPrice = job.pricePerMillionTokens;
    this.bulkCost =
      this.bulkCost === null || job.pricePerMillionTokens === null
        ? null
        : this.bulkCost + (job.tokens / 1_000_000) * job.pricePerMillionTokens;
  }

  /** A failed attempt that will be retried; `throttled` when the provider asked us to slow down. */
  recordRetry(throttled: boolean): void {
    this.retries += 1;
    if (throttled) this.throttles += 1;
  }

  /** A throttle that was not retried (retries exhausted). */
  recordThrottle(): void {
    this.throttles += 1;
  }

  /** A period during which the provider throttled, from its first throttle to the next success. */
  recordThrottledPeriod(milliseconds: number): void {
    this.throttledPeriods += 1;
    this.throttledMilliseconds += milliseconds;
  }

  /** A period during which every call was paused because the provider failed across the board. */
  recordOutagePause(milliseconds: number): void {
    this.outagePauses += 1;
    this.outageMilliseconds += milliseconds;
  }

  /** Damaged cache records or files found (and embedded again) during this work. */
  recordCacheRepairs(count: number): void {
    this.cacheRepairs += count;
  }

  recordCacheHits(count: number): void {
    this.cacheHits += count;
  }

  /** Wall time spent embedding (first call sent to last answer), for throughput. */
  recordEmbeddingTime(milliseconds: number): void {
    this.embeddingMilliseconds += milliseconds;
  }

  /** Adds everything `other` recorded (the usage of one invocation into a task's total). */
  merge(other: UsageRecorder): void {
    this.calls += other.calls;
    this.retries += other.retries;
    this.throttles += other.throttles;
    this.tokens += other.tokens;
    this.estimatedCalls += other.estimatedCalls;
    this.textsEmbedded += other.textsEmbedded;
    this.cacheHits += other.cacheHits;
    this.callLatencies.push(...other.callLatencies);
    this.textLatencies.push(...other.textLatencies);
    this.embeddingMilliseconds += other.embeddingMilliseconds;
    this.throttledPeriods += other.throttledPeriods;
    this.throttledMilliseconds += other.throttledMilliseconds;
    this.outagePauses += other.outagePauses;
    this.outageMilliseconds += other.outageMilliseconds;
    this.cacheRepairs += other.cacheRepairs;
    if (other.bulkJobs > 0) {
      this.bulkJobs += other.bulkJobs;
      this.bulkTexts += other.bulkTexts;
      this.bulkTokens += other.bulkTokens;
      this.bulkPrice = other.bulkPrice;
      this.bulkCost =
        this.bulkCost === null || other.bulkCost === null ? null : this.bulkCost + other.bulkCost;
    }
  }

  /** Latency per text: each call's latency divided by its batch size, as percentiles over calls. */
  latencyPerText(): LatencySummary | null {
    return summariseLatencies(this.textLatencies);
  }

  summary(): UsageSummary {
    const tokensSource =
      this.calls + this.bulkJobs === 0 ? "none" : this.estimatedCalls > 0 ? "estimated" : "provider";
    const price = this.pricePerMillionTokens;
    // Tokens of embed() calls at the model's price, plus what the jobs cost at theirs.
    const callTokens = this.tokens - this.bulkTokens;
    const callCost = price === null ? null : (callTokens / 1_000_000) * price;
    const costUsd =
      this.bulkJobs === 0
        ? callCost
        : this.bulkCost === null || (callCost === null && callTokens > 0)
          ? null
          : (callCost ?? 0) + this.bulkCost;
    return {
      textsEmbedded: this.textsEmbedded,
      cacheHits: this.cacheHits,
      calls: this.calls,
      retries: this.retries,
      throttles: this.throttles,
      tokens: this.tokens,
      tokensSource,
      costUsd,
      pricePerMillionTokens: price,
      latencyMs: summariseLatencies(this.callLatencies),
      latencyPerTextMs: summariseLatencies(this.textLatencies),
      throughput:
        this.textsEmbedded > 0 && this.embeddingMilliseconds > 0
          ? this.textsEmbedded / (this.embeddingMilliseconds / 1000)
          : null,
      // Only when something happened, so the usage of a clean run reads as it always did.
      ...(this.throttledPeriods > 0
        ? { throttling: { periods: this.throttledPeriods, seconds: this.throttledMilliseconds / 1000 } }
        : {}),
      ...(this.outagePauses > 0
        ? { outages: { pauses: this.outagePauses, seconds: this.outageMilliseconds / 1000 } }
        : {}),
      ...(this.cacheRepairs > 0 ? { cacheRepairs: this.cacheRepairs } : {}),
      ...(this.bulkJobs > 0
        ? {
            bulk: {
              jobs: this.bulkJobs,
              texts: this.bulkTexts,
              tokens: this.bulkTokens,
              pricePerMillionTokens: this.bulkPrice,
              costUsd: this.bulkCost,
            },
          }
        : {}),
    };
  }
}

function summariseLatencies(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  let total = 0;
  for (const value of sorted) total += value;
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), mean: total / sorted.length };
}
