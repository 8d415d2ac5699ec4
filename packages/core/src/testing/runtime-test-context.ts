import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeSettings } from "../runtime/runtime-settings.js";
import { VirtualClock } from "./virtual-clock.js";

/** The runtime settings the embedTexts tests start from. */
export const testRuntimeSettings: RuntimeSettings = { maxConcurrency: 4, timeoutSeconds: 30, maxRetries: 3 };

/** Forty short distinct documents. */
export const testCorpus = Array.from({ length: 40 }, (_, index) => `document number ${index}`);

/** The rejection of a promise that must reject (the test fails if it resolves). */
export async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** A fresh cache folder and virtual clock, for each test; remove the folder afterwards. */
export function createRuntimeTestContext(): { directory: string; clock: VirtualClock } {
  return { directory: mkdtempSync(join(tmpdir(), "embedeval-runtime-")), clock: new VirtualClock() };
}

export function removeRuntimeTestContext(context: { directory: string }): void {
  rmSync(context.directory, { recursive: true, force: true });
}
