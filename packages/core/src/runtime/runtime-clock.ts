/**
 * Time as the runtime sees it. Injected so tests of retries, backoff and rate limits run without real
 * waiting and give the same result every time; production uses `systemClock`.
 */
export interface RuntimeClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Resolves after `milliseconds`; rejects with the signal's reason when it aborts first. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts after `milliseconds`, and a way to cancel that timer once it is not needed. */
  timeout(milliseconds: number): { signal: AbortSignal; clear(): void };
}

export const systemClock: RuntimeClock = {
  now: () => performance.now(),
  sleep(milliseconds, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, milliseconds),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  timeout(milliseconds) {
    const controller = new AbortController();
    // Unlike AbortSignal.timeout, this timer is cleared as soon as the call settles, so thousands of
    // fast calls do not leave thousands of pending timers behind.
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`timed out after ${milliseconds} ms`, "TimeoutError"));
    }, milliseconds);
    timer.unref?.();
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
  },
};
