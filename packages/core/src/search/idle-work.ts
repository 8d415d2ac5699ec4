/**
 * Work the JavaScript thread can do while it waits for a search backend: a document source reading its
 * next chunk (cacheDocumentSource) registers it, and the search runs it, one step at a time, whenever it
 * would otherwise sit idle awaiting a similarity block. Without it, a source that reads synchronously
 * reads each chunk while the backend has nothing to compute: 1,000 x 1,000,000 x 768 from the cache
 * spent 5.4 s of 17-24 s that way, against 12.7 s from a flat file whose reads overlap the search.
 */
export class IdleWork {
  private step: (() => boolean) | undefined;

  /**
   * Sets the work: `step` does a bounded piece (tens of milliseconds) and returns true while more
   * remains. Replaces any earlier work, which its owner finishes itself when it needs the result.
   */
  set(step: () => boolean): void {
    this.step = step;
  }

  /** Runs one step; false when there is nothing (left) to do. */
  runStep(): boolean {
    if (this.step === undefined) return false;
    if (this.step()) return true;
    this.step = undefined;
    return false;
  }

  /**
   * Resolves as `promise` does, running steps while it is pending. Each step is followed by a turn of
   * the event loop (setImmediate runs after the poll phase), so the backend's answer is seen within
   * one step of its arrival.
   */
  async until<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const mark = () => {
      settled = true;
    };
    promise.then(mark, mark);
    // One microtask turn: an answer that is already there is not delayed by a step.
    await Promise.resolve();
    while (!settled && this.runStep()) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return promise;
  }
}
