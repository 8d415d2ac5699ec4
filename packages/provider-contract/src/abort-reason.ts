import { CancelledError } from "./errors.js";

/**
 * What a plugin throws when the runtime aborted its call: the signal's own reason (a TimeoutError
 * for a per-call timeout, a cancellation for Ctrl-C), so the runtime can tell the two apart; a
 * CancelledError when the signal carries none. `what` names the call: "Bedrock", "SageMaker".
 */
export function abortReason(signal: AbortSignal, what: string): unknown {
  return signal.reason ?? new CancelledError(`The ${what} call was cancelled.`);
}
