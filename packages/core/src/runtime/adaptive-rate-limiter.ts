import type { RuntimeClock } from "./runtime-clock.js";

/**
 * Paces calls to at most `rate` per minute, and adapts: the rate halves when the provider throttles
 * and grows back by a fixed step after each success (additive increase, multiplicative decrease, as TCP
 * does), up to the configured ceiling. Without a configured ceiling the limiter does nothing until the
 * first throttle, then starts from half the rate it observed.
 *
 * Only a throttle of a call sent after the last decrease lowers the rate again: calls already in flight
 * when we slowed down were sent at the old rate, and their throttles say nothing about the new one.
 * This keeps one burst of throttles from collapsing the rate to its floor.
 */
export interface AdaptiveRateLimiterSettings {
  /** Configured ceiling in calls per minute; undefined: unlimited until the provider throttles. */
  requestsPerMinute?: number;
  /** Floor, in calls per minute. */
  minimumRequestsPerMinute?: number;
  /** Successes it takes to climb from half the ceiling back to it. */
  recoverySuccesses?: number;
}

export interface RateLimiterSnapshot {
  /** Current pace in calls per minute; Infinity when unlimited. */
  requestsPerMinute: number;
  decreases: number;
}

export class AdaptiveRateLimiter {
  private readonly clock: RuntimeClock;
  private readonly ceiling: number;
  private readonly floor: number;
  private readonly recoverySuccesses: number;
  private rate: number;
  /** The rate recovery aims at: the ceiling, or the rate observed when first throttled. */
  private target: number;
  private nextSlot = Number.NEGATIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private decreases = 0;
  private generation = 0;
  private readonly recentStarts: number[] = [];

  constructor(settings: AdaptiveRateLimiterSettings, clock: RuntimeClock) {
    this.clock = clock;
    this.ceiling = settings.requestsPerMinute ?? Number.POSITIVE_INFINITY;
    this.floor = settings.minimumRequestsPerMinute ?? 1;
    this.recoverySuccesses = settings.recoverySuccesses ?? 20;
    this.rate = this.ceiling;
    this.target = this.ceiling;
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

  /** A call sent at `startedAt` was throttled. */
  onThrottle(startedAt: number): void {
    if (startedAt < this.lastDecreaseAt) return;
    const observed = this.observedRate();
    const base = Math.min(this.rate, observed);
    if (!Number.isFinite(this.target) && Number.isFinite(base)) this.target = base;
    // Before the first call has started there is nothing to halve: backoff alone handles it.
    if (!Number.isFinite(base)) return;
    this.rate = Math.max(this.floor, base / 2);
    this.lastDecreaseAt = this.clock.now();
    this.decreases += 1;
    // The next call waits one interval at the new pace; callers already waiting queue again.
    this.nextSlot = this.lastDecreaseAt + 60_000 / this.rate;
    this.generation += 1;
  }

  onSuccess(): void {
    if (!Number.isFinite(this.rate)) return;
    const step = this.target / 2 / this.recoverySuccesses;
    this.rate = Math.min(this.ceiling, this.rate + step);
    // Unlimited by config and back above the rate we were throttled at: probe upwards further.
    if (!Number.isFinite(this.ceiling) && this.rate >= this.target) this.target = this.rate;
  }

  snapshot(): RateLimiterSnapshot {
    return { requestsPerMinute: this.rate, decreases: this.decreases };
  }

  /** Calls started per minute over the recent window (up to now); Infinity before any call. */
  private observedRate(): number {
    const first = this.recentStarts[0];
    if (first === undefined) return Number.POSITIVE_INFINITY;
    const span = Math.max(1, this.clock.now() - first);
    return (this.recentStarts.length * 60_000) / span;
  }
}
