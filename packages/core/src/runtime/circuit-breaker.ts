import type { RuntimeClock } from "./runtime-clock.js";

/**
 * Pauses every call to a provider that is failing across the board, instead of letting each batch
 * spend its own retries against it. Closed (normal) until `failureThreshold` retryable failures come
 * in a row with no success between them, from any batches; then open: no call starts for a pause,
 * after which one probe call is let through (half-open). A successful probe closes the circuit and
 * wakes everyone at once; a failed one opens it again for twice as long, up to `maxOpenMilliseconds`,
 * so a 30-second outage costs a probe every few seconds rather than every batch's retries, and the
 * run resumes within one pause of the service coming back.
 * (The pattern: https://martinfowler.com/bliki/CircuitBreaker.html.)
 */
export interface CircuitBreakerSettings {
  /** Retryable failures in a row, across batches, that open the circuit. Default 5. */
  failureThreshold?: number;
  /** First pause before a probe, in milliseconds. Default 1,000. */
  openMilliseconds?: number;
  /** Longest pause between probes, in milliseconds. Default 5,000. */
  maxOpenMilliseconds?: number;
}

export type CircuitState = "closed" | "open" | "half-open";

/** What `admit` decided: go ahead (maybe as the probe), or the caller's deadline passed while paused. */
export type Admission = "go" | "probe" | "expired";

export interface CircuitChange {
  state: CircuitState;
  /** When the circuit last opened (clock time), while it is not closed; for "closed", when it had opened. */
  openedAt: number;
  /** The pause before the next probe, in milliseconds. */
  pauseMilliseconds: number;
}

export class CircuitBreaker {
  private readonly clock: RuntimeClock;
  private readonly failureThreshold: number;
  private readonly firstPause: number;
  private readonly maxPause: number;
  private state: CircuitState = "closed";
  private failuresInARow = 0;
  private pause: number;
  private openUntil = 0;
  private openedAt = 0;
  private probeInFlight = false;
  /** Callers waiting for a state change: woken by aborting their sleep. */
  private readonly waiting = new Set<AbortController>();
  private readonly listeners = new Set<(change: CircuitChange) => void>();

  constructor(settings: CircuitBreakerSettings, clock: RuntimeClock) {
    this.clock = clock;
    this.failureThreshold = settings.failureThreshold ?? 5;
    this.firstPause = settings.openMilliseconds ?? 1000;
    this.maxPause = settings.maxOpenMilliseconds ?? 5000;
    this.pause = this.firstPause;
  }

  get current(): CircuitState {
    return this.state;
  }

  /** Called on every change of state; returns the way to stop listening. */
  subscribe(listener: (change: CircuitChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Waits until a call may start. While the circuit is open nobody passes; when the pause is over the
   * first caller passes as the probe and the others wait for its outcome. `deadline` (clock time):
   * a caller whose own retry budget ends while it waits gets "expired" rather than waiting on.
   */
  async admit(signal: AbortSignal, deadline?: number): Promise<Admission> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (this.state === "closed") return "go";
      const now = this.clock.now();
      if (deadline !== undefined && now >= deadline) return "expired";
      if (this.state === "open" && now >= this.openUntil && !this.probeInFlight) {
        this.probeInFlight = true;
        this.change("half-open");
        return "probe";
      }
      const until = this.state === "open" && !this.probeInFlight ? this.openUntil : Number.POSITIVE_INFINITY;
      const wake = Math.min(until, deadline ?? Number.POSITIVE_INFINITY);
      await this.waitForChange(Number.isFinite(wake) ? wake - now : undefined, signal);
    }
  }

  /** A call succeeded: the service answers, so the circuit closes. */
  onSuccess(probe: boolean): void {
    this.failuresInARow = 0;
    if (probe) this.probeInFlight = false;
    if (this.state !== "closed") {
      this.pause = this.firstPause;
      this.change("closed");
    }
  }

  /**
   * A call failed in a way worth retrying (throttled, 5xx, timeout, connection). `retryAfterMs`: how
   * long the service asked us to wait (already capped), which lengthens the pause.
   */
  onFailure(probe: boolean, retryAfterMs?: number): void {
    this.failuresInARow += 1;
    if (probe) {
      this.probeInFlight = false;
      this.pause = Math.min(this.maxPause, this.pause * 2);
      this.open(retryAfterMs);
      return;
    }
    if (this.state === "closed" && this.failuresInARow >= this.failureThreshold) this.open(retryAfterMs);
  }

  /** A probe ended without saying anything about the service (cancelled, or a bad request): let another go. */
  onNeutral(probe: boolean): void {
    if (!probe) return;
    this.probeInFlight = false;
    this.state = "open";
    this.wakeAll();
  }

  private open(retryAfterMs: number | undefined): void {
    const now = this.clock.now();
    const pause = Math.max(this.pause, retryAfterMs ?? 0);
    this.openUntil = now + pause;
    if (this.state === "closed") this.openedAt = now;
    this.change("open", pause);
  }

  private change(state: CircuitState, pause = this.pause): void {
    this.state = state;
    this.wakeAll();
    for (const listener of this.listeners)
      listener({ state, openedAt: this.openedAt, pauseMilliseconds: pause });
  }

  private wakeAll(): void {
    for (const controller of this.waiting) controller.abort();
    this.waiting.clear();
  }

  private async waitForChange(milliseconds: number | undefined, signal: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.waiting.add(controller);
    try {
      if (milliseconds === undefined) {
        await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve()));
      } else {
        await this.clock.sleep(milliseconds, controller.signal).catch(() => undefined);
      }
    } finally {
      this.waiting.delete(controller);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
