/**
 * Splits texts into calls: at most `maxInputs` texts per call and, when the provider has a request size
 * limit (SageMaker: about 6 MB), at most `maxRequestBytes` of estimated body. A text too large for the
 * budget on its own still gets a call of its own, so the provider's own error names the problem.
 */
export interface BatchLimits {
  maxInputs: number;
  maxRequestBytes?: number;
}

/** Bytes a JSON request spends around the texts (model id, options, brackets). */
const envelopeBytes = 1024;

/**
 * Estimated bytes a text adds to a JSON body: its UTF-8 length, plus quotes and a comma, plus room for
 * escapes (newlines, quotes and control characters grow when escaped; 1/8 is generous for prose).
 */
export function estimatedRequestBytes(text: string): number {
  const utf8 = Buffer.byteLength(text, "utf8");
  return utf8 + Math.ceil(utf8 / 8) + 3;
}

/** Returns the batches as lists of positions into `texts`, in order. */
export function planBatches(texts: readonly string[], limits: BatchLimits): number[][] {
  const maxInputs = Math.max(1, Math.floor(limits.maxInputs));
  const budget =
    limits.maxRequestBytes === undefined ? Number.POSITIVE_INFINITY : limits.maxRequestBytes - envelopeBytes;
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (let index = 0; index < texts.length; index += 1) {
    const bytes = Number.isFinite(budget) ? estimatedRequestBytes(texts[index] as string) : 0;
    if (current.length > 0 && (current.length >= maxInputs || currentBytes + bytes > budget)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
