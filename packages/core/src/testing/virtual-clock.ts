import type { RuntimeClock } from "../runtime/runtime-clock.js";

/**
 * A discrete-event clock for tests and benchmarks: time moves only when every pending promise has run
 * (one timer fires per macrotask turn), jumping straight to the next timer. Runs that would take minutes
 * of backoff and pacing finish in milliseconds, and the same code always produces the same timeline.
 */
export class VirtualClock implements RuntimeClock {
  private time = 0;
  private sequence = 0;
  private readonly timers: { at: number; sequence: number; fire: () => void }[] = [];
  private tickScheduled = false;
  /** Every sleep requested, in milliseconds, in order (to assert on backoff and pacing). */
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(milliseconds);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.schedule(milliseconds, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  timeout(milliseconds: number): { signal: AbortSignal; clear(): void } {
    const controller = new AbortController();
    const clear = this.schedule(milliseconds, () =>
      controller.abort(new DOMException(`timed out after ${milliseconds} ms`, "TimeoutError")),
    );
    return { signal: controller.signal, clear };
  }

  private schedule(milliseconds: number, fire: () => void): () => void {
    const timer = { at: this.time + Math.max(0, milliseconds), sequence: this.sequence++, fire };
    this.timers.push(timer);
    this.timers.sort((left, right) => left.at - right.at || left.sequence - right.sequence);
    this.requestTick();
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  private requestTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      const next = this.timers.shift();
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      next.fire();
      if (this.timers.length > 0) this.requestTick();
    });
  }
}
