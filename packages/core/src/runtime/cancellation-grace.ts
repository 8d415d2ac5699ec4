import { setMaxListeners } from "node:events";
import type { EmbedRun } from "./embed-run.js";

/** The signals the call scheduler stops by; `detach` ends listening to the run's signal (Ctrl-C). */
export interface CancellationGrace {
  /**
   * Aborted on cancel or on the first failure: ends waits for a pace slot, the circuit or a backoff at
   * once, so no new call starts. Calls in flight are not tied to it: on failure they finish (and are
   * cached); on cancel they get a grace period to do the same, then `cancel` aborts them.
   */
  stop: AbortController;
  /**
   * Aborts the calls in flight; each call listens here rather than on the caller's signal (which would
   * warn past ten listeners with a high maxConcurrency).
   */
  cancel: AbortController;
  /** Ends the grace period's wait once every call has settled. */
  grace: AbortController;
  detach(): void;
}

/**
 * Listens to the run's signal: on Ctrl-C, stops starting calls and gives the `inFlight()` calls
 * `run.graceMilliseconds` to answer (their vectors are paid for either way) before aborting them.
 */
export function cancellationGrace(run: EmbedRun, inFlight: () => number): CancellationGrace {
  const { signal, clock, emit, graceMilliseconds } = run;
  const stop = new AbortController();
  const cancel = new AbortController();
  const grace = new AbortController();
  // One listener per waiting batch is expected here, not a leak.
  setMaxListeners(0, stop.signal, cancel.signal);
  const stopOnCancel = (): void => {
    stop.abort(signal?.reason);
    if (inFlight() === 0) {
      cancel.abort(signal?.reason);
      return;
    }
    // Calls in flight are paid for whether we wait for them or not: give them time to answer.
    emit({ kind: "draining", inFlight: inFlight(), graceSeconds: graceMilliseconds / 1000 });
    clock.sleep(graceMilliseconds, grace.signal).then(
      () => cancel.abort(signal?.reason),
      () => undefined,
    );
  };
  if (signal?.aborted) stopOnCancel();
  signal?.addEventListener("abort", stopOnCancel, { once: true });
  return { stop, cancel, grace, detach: () => signal?.removeEventListener("abort", stopOnCancel) };
}
