import type { BulkEmbedding } from "@embedeval/provider-contract";
import { embedInBulk } from "./embed-in-bulk.js";
import { cancelledError, countWarning, type EmbedRun, storeReceived } from "./embed-run.js";

/**
 * Asynchronous jobs (Bedrock batch inference) for what the cache lacks, when the provider takes that many.
 * Returns with `run.missing` narrowed to what the jobs did not embed; throws when a job failed or the run
 * was cancelled.
 */
export async function embedMissingInBulk(run: EmbedRun, bulk: BulkEmbedding): Promise<void> {
  const { options, clock, distinct, recorder, signal, cache } = run;
  const started = clock.now();
  const missing = run.missing;
  const outcome = await embedInBulk({
    provider: run.provider,
    bulk,
    texts: missing.map((index) => distinct[index] as string),
    inputType: options.inputType,
    signal,
    expectedDimension: run.expectedDimension,
    pricePerMillionTokens: run.price,
    recorder,
    emit: run.emit,
    // Cached the moment a job ends, as calls are: a job that fails later loses nothing paid for.
    store: (positions, received, warnings) => {
      const indices = positions.map((position) => missing[position] as number);
      const texts = indices.map((index) => distinct[index] as string);
      storeReceived(run, indices, texts, received, warnings);
    },
    onProgress: (embedded) => options.onProgress?.(run.done + embedded, distinct.length),
    warn: (warning) => countWarning(run, warning),
  });
  recorder.recordEmbeddingTime(clock.now() - started);
  run.expectedDimension = outcome.expectedDimension;
  run.missing = outcome.missing.map((position) => missing[position] as number);
  run.done = distinct.length - run.missing.length;
  if (outcome.error === undefined && !signal?.aborted) return;
  cache?.flush();
  options.usage?.merge(recorder);
  if (signal?.aborted) throw cancelledError(run, 0);
  throw outcome.error;
}
