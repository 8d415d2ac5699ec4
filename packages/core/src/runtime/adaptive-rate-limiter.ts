import { CircuitBreaker, type CircuitBreakerSettings } from "./circuit-breaker.js";
import type { RuntimeClock } from "./runtime-clock.js";
import type { RuntimeEvent } from "./runtime-event.js";

/**
 * Paces calls to at most `rate` per minute, and adapts: the rate halves when the provider throttles
 * persistently and grows back after successes (additive increase, multiplicative decrease, as TCP
 * does), up to the configured ceiling. Without a configured ceiling the limiter does nothing until the
 * first decrease, which starts from half the rate of successful calls it observed.
 *
 * "Persistently" means one of:
 * - more than `throttleShare` of the last `window` calls (sent since the last decrease) were throttled;
 * - one batch was throttled `consecutiveThrottles` times in a row (it is about to run out of patience).
 * A lone throttle does not halve the rate: retries with backoff absorb it, and halving on every
 * throttle collapses throughput when a service throttles a steady few percent of calls whatever the
 * rate (measured in bench/runtime-throughput.bench.ts: 11% of the possible throughput at 10% throttled).
 *
 * One decrease per throttling episode: an episode opens with a decrease and closes with the first
 * success of a call sent after it. While it is open, further throttles change nothing: during a burst
 * where the service refuses everything for ten seconds, each call being throttled says nothing about
 * the pace (halving on each of them took the pace down eleven times in ten seconds, and a run 13 times
 * longer). A real limit below the new pace still brings the next decrease: once calls succeed again,
 * a new episode opens as soon as the throttled share of the calls sent since passes the threshold.
 *
 * Recovery is proportional to the pace before the episode: each success adds
 * `(pace before - pace after) / recoverySuccesses`, so the pace is back where it was after
 * `recoverySuccesses` successes, whatever depth it fell to. (Recomputing the step from the collapsed
 * pace made it climb back at a fraction of a call per minute per success.)
 */
export interface AdaptiveRateLimiterSettings {
  /** Configured ceiling in calls per minute; undefined: unlimited until the provider throttles. */
  requestsPerMinute?: number;
  /** Floor, in calls per minute. */
  minimumRequestsPerMinute?: number;
  /** Successes it takes to climb from the pace after a decrease back to the pace before it. */
  recoverySuccesses?: number;
  /** Share of recent calls throttled above which the rate halves. */
  throttleShare?: number;
  /** Recent calls the share is measured over (and the fewest before it is trusted: half of it). */
  window?: number;
  /** Throttles in a row of one batch that halve the rate whatever the share. */
  consecutiveThrottles?: number;
  /** Settings of the circuit breaker that travels with the limiter (see `circuitBreaker`). */
  circuitBreaker?: CircuitBreakerSettings;
  /** Told of every runtime event of every invocation pacing through this limiter. */
  onEvent?: (event: RuntimeEvent) => void;
}

export interface RateLimiterSnapshot {
  /** Current pace in calls per minute; Infinity when unlimited. */
  requestsPerMinute: number;
  decreases: number;
}

export class AdaptiveRateLimiter {
  /**
   * The model's circuit breaker. It lives with the limiter because both are the model's state that
   * must outlast one invocation (documents, then queries, then the next task): whoever shares the
   * limiter shares the breaker.
   */
  readonly circuitBreaker: CircuitBreaker;
  readonly onEvent: ((event: RuntimeEvent) => void) | undefined;
  private readonly clock: RuntimeClock;
  private readonly ceiling: number;
  private readonly floor: number;
  private readonly recoverySuccesses: number;
  private readonly throttleShare: number;
  private readonly window: number;
  private readonly consecutiveThrottles: number;
  private rate: number;
  /** Calls per minute added after each success; set at each decrease from the pace before it. */
  private step: number;
  private nextSlot = Number.NEGATIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** True from a decrease until the first success of a call sent after it. */
  private inEpisode = false;
  private decreases = 0;
  private generation = 0;
  private readonly recentStarts: number[] = [];
  private readonly recentSuccesses: number[] = [];
  /** Outcomes (true: throttled) of calls sent since the last decrease, newest last. */
  private readonly outcomes: boolean[] = [];
  private throttledInWindow = 0;

  constructor(settings: AdaptiveRateLimiterSettings, clock: RuntimeClock) {
    this.clock = clock;
    this.circuitBreaker = new CircuitBreaker(settings.circuitBreaker ?? {}, clock);
    this.onEvent = settings.onEvent;
    this.ceiling = settings.requestsPerMinute ?? Number.POSITIVE_INFINITY;
    this.floor = settings.minimumRequestsPerMinute ?? 1;
    this.recoverySuccesses = settings.recoverySuccesses ?? 20;
    this.throttleShare = settings.throttleShare ?? 0.25;
    this.window = settings.window ?? 40;
    this.consecutiveThrottles = settings.consecutiveThrottles ?? 4;
    this.rate = this.ceiling;
    this.step = Number.isFinite(this.ceiling) ? this.ceiling / 2 / this.recoverySuccesses : 0;
  }

  /** Waits for the next slot. Returns the time the call may start (now, after the wait). */
  async acquire(signal?: AbortSignal): Promise<number> {
    for (;;) {
      if (!Number.isFinite(this.rate)) break;
      const now = this.clock.now();
      const generation = this.generation;
      const slot = Math.max(now, this.nextSlot);
      this.nextSlot = slot + 60_000 / this.rate;
      if (slot > now) await this.clock.sleep(slot - now, signal);
      // A slot reserved before a decrease was computed at the old pace: queue again at the new one.
      if (generation === this.generation) break;
    }
    const started = this.clock.now();
    this.recentStarts.push(started);
    if (this.recentStarts.length > 64) this.recentStarts.shift();
    return started;
  }

  /**
   * A call sent at `startedAt` was throttled; `inARow` is how many times in a row its batch has been
   * throttled, this one included.
   */
  onThrottle(startedAt: number, inARow = 1): void {
    if (startedAt < this.lastDecreaseAt) return;
    this.recordOutcome(true);
    // The episode's one decrease is made: wait for a success at the new pace before judging it.
    if (this.inEpisode) return;
    const trusted = this.outcomes.length >= Math.ceil(this.window / 2);
    const share = this.throttledInWindow / this.outcomes.length;
    if ((trusted && share > this.throttleShare) || inARow >= this.consecutiveThrottles) this.decrease();
  }

  /** A call sent at `startedAt` succeeded. */
  onSuccess(startedAt: number): void {
    if (startedAt >= this.lastDecreaseAt) {
      this.recordOutcome(false);
      this.inEpisode = false;
    }
    this.recentSuccesses.push(this.clock.now());
    if (this.recentSuccesses.length > 64) this.recentSuccesses.shift();
    if (!Number.isFinite(this.rate)) return;
    // Without a ceiling this keeps probing upwards past the last rate, until throttles say stop.
    this.rate = Math.min(this.ceiling, this.rate + this.step);
  }

  snapshot(): RateLimiterSnapshot {
    return { requestsPerMinute: this.rate, decreases: this.decreases };
  }

  private decrease(): void {
    // Halve what the provider actually accepted: above a limit, successes arrive at about the limit
    // while attempts (throttled ones answer at once) can arrive many times faster.
    const base = Math.min(this.rate, this.successRate() ?? this.observedRate());
    // Before the first call has started there is nothing to halve: backoff alone handles it.
    if (!Number.isFinite(base)) return;
    const before = Math.min(this.rate, base);
    this.rate = Math.max(this.floor, base / 2);
    // Back to the pace before the episode in `recoverySuccesses` successes, however low it fell.
    this.step = Math.max(this.step, (before - this.rate) / this.recoverySuccesses);
    this.lastDecreaseAt = this.clock.now();
    this.inEpisode = true;
    this.decreases += 1;
    this.outcomes.length = 0;
    this.throttledInWindow = 0;
    // The next call waits one interval at the new pace; callers already waiting queue again.
    this.nextSlot = this.lastDecreaseAt + 60_000 / this.rate;
    this.generation += 1;
  }

  private recordOutcome(throttled: boolean): void {
    this.outcomes.push(throttled);
    if (throttled) this.throttledInWindow += 1;
    if (this.outcomes.length > this.window && this.outcomes.shift()) this.throttledInWindow -= 1;
  }

  /** Successes per minute over the recent window (up to now); undefined while too few to tell. */
  private successRate(): number | undefined {
    const first = this.recentSuccesses[0];
    if (first === undefined || this.recentSuccesses.length < 4) return undefined;
    const span = Math.max(1, this.clock.now() - first);
    return (this.recentSuccesses.length * 60_000) / span;
  }

  /** Calls started per minute over the recent window (up to now); Infinity before any call. */
  private observedRate(): number {
    const first = this.recentStarts[0];
    if (first === undefined) return Number.POSITIVE_INFINITY;
    const span = Math.max(1, this.clock.now() - first);
    return (this.recentStarts.length * 60_000) / span;
  }
}
