import { CancelledError } from "@embedeval/provider-contract";

/** Long synchronous work gives the event loop a turn this often, so an abort signal is noticed. */
const yieldIntervalMilliseconds = 50;

export function throwIfAborted(signal: AbortSignal | undefined, message = "The search was cancelled."): void {
  if (signal?.aborted) throw new CancelledError(message);
}

/**
 * Gives the event loop a turn every 50 ms of work, then checks the signal: JavaScript cannot see an
 * abort (a timer, Ctrl-C) while a synchronous loop runs, and chunks from an async generator arrive
 * through microtasks, which never let timers run either. Used by the search's scans and by sources
 * that read synchronously (cacheDocumentSource).
 */
export class CancellationCheckpoint {
  private lastYield = performance.now();
  constructor(private readonly signal: AbortSignal | undefined) {}

  async check(): Promise<void> {
    if (performance.now() - this.lastYield > yieldIntervalMilliseconds) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    throwIfAborted(this.signal);
  }
}
