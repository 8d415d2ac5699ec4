import { formatCount } from "./format-count.js";

/**
 * What the runtime tells the person watching a run while it happens: why it is slow or waiting. The CLI
 * prints them and shows the current state on the progress line; nothing depends on them for correctness.
 */
export type RuntimeEvent =
  /** The provider started throttling; the pace is now `requestsPerMinute` (Infinity: not lowered yet). */
  | { kind: "throttled"; requestsPerMinute: number }
  /** A throttling period ended with a success, after `seconds`. */
  | { kind: "throttling-over"; seconds: number }
  /** The provider fails across the board: every call is paused, a probe goes out after `pauseSeconds`. */
  | { kind: "paused"; reason: string; pauseSeconds: number }
  /** A probe succeeded: calls resume, after a pause of `seconds` in all. */
  | { kind: "resumed"; seconds: number }
  /** The provider asked to wait longer than `runtime.retryAfterCapSeconds`; the runtime waits the cap. */
  | { kind: "retry-after-capped"; requestedSeconds: number; capSeconds: number }
  /** Another run is embedding into the same cache namespace; this one waits, then pays only for the rest. */
  | { kind: "waiting-for-cache"; owner: string }
  /** The other run finished with the cache namespace after `seconds`; what it embedded is now read. */
  | { kind: "cache-turn"; seconds: number }
  /** Ctrl-C: no new calls; `inFlight` calls may still answer (and be cached) within `graceSeconds`. */
  | { kind: "draining"; inFlight: number; graceSeconds: number }
  /** An asynchronous job (Bedrock batch inference) changed status; counts of texts as the service reports. */
  | { kind: "bulk-job"; job: string; status: string; texts: number; succeeded: number; failed: number };

/** One line describing an event, for logs. */
export function describeRuntimeEvent(event: RuntimeEvent): string {
  switch (event.kind) {
    case "throttled":
      return Number.isFinite(event.requestsPerMinute)
        ? `throttled by the provider; pacing at ${Math.round(event.requestsPerMinute)} calls/min`
        : "throttled by the provider; retrying with backoff";
    case "throttling-over":
      return `throttling over after ${event.seconds.toFixed(1)} s`;
    case "paused":
      return `the provider is failing on every call (${event.reason}); all calls paused, probing again in ${event.pauseSeconds.toFixed(1)} s`;
    case "resumed":
      return `the provider answers again; calls resumed after a pause of ${event.seconds.toFixed(1)} s`;
    case "retry-after-capped":
      return `the provider asked to wait ${formatSeconds(event.requestedSeconds)} (Retry-After); waiting ${formatSeconds(event.capSeconds)} instead, the cap set by runtime.retryAfterCapSeconds`;
    case "waiting-for-cache":
      return `waiting for ${event.owner}, which is embedding into the same cache; texts it embeds will not be paid for twice`;
    case "cache-turn":
      return `the other run is done with the cache after ${event.seconds.toFixed(1)} s; embedding what it did not`;
    case "draining":
      return `stopping: no new calls; waiting up to ${formatSeconds(event.graceSeconds)} for ${event.inFlight} call${event.inFlight === 1 ? "" : "s"} in flight, so what they return is cached`;
    case "bulk-job":
      return `job ${event.job}: ${event.status}, ${formatCount(event.succeeded)} of ${formatCount(event.texts)} texts embedded${event.failed > 0 ? `, ${formatCount(event.failed)} failed` : ""}`;
  }
}

function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}
