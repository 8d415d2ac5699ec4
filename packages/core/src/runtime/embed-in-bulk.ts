import type {
  BulkEmbedding,
  BulkEmbedResponse,
  EmbeddingProvider,
  InputType,
} from "@embedeval/provider-contract";
import { type EmbedEvalError, estimateTokens, ProviderError } from "@embedeval/provider-contract";
import { validateEmbeddings } from "./response-validation.js";
import type { RuntimeEvent } from "./runtime-event.js";
import type { UsageRecorder } from "./usage-recorder.js";

/**
 * The runtime's side of asynchronous jobs (BulkEmbedding, e.g. Bedrock batch inference): the texts left
 * after the cache are split into jobs of equal size, run a few at a time, and each job's vectors are
 * checked and stored (cached) the moment it ends, so a job that fails later loses nothing already paid
 * for. Records that failed go into follow-up jobs when the provider allows them; what still failed is
 * reported, not embedded another way: the caller fails the run naming them, and a rerun pays only for them.
 */
export interface EmbedInBulkOptions {
  provider: EmbeddingProvider;
  bulk: BulkEmbedding;
  /** Distinct texts not in the cache. */
  texts: readonly string[];
  inputType: InputType;
  signal: AbortSignal | undefined;
  /** The dimension of the vectors so far (configured, or found in the cache). */
  expectedDimension: number | undefined;
  /** The model's on-demand price; the jobs' own is asked of the provider. */
  pricePerMillionTokens: number | null;
  /** Keeps and caches the vectors of these positions into `texts`, with the job's warnings. */
  store(positions: number[], vectors: Float32Array[], warnings: readonly string[]): void;
  recorder: UsageRecorder;
  emit(event: RuntimeEvent): void;
  /** Texts embedded so far in jobs: ended jobs' vectors plus what running jobs report. */
  onProgress(embedded: number): void;
  warn(warning: string): void;
}

export interface EmbedInBulkOutcome {
  /** Positions into `texts` that have no vector (their records failed, or the jobs did). */
  missing: number[];
  /** The dimension of the vectors received. */
  expectedDimension: number | undefined;
  /** Why: a job that failed, expired or was stopped, or the records that failed; undefined when none. */
  error: unknown;
}

export async function embedInBulk(options: EmbedInBulkOptions): Promise<EmbedInBulkOutcome> {
  const { provider, bulk } = options;
  const price = bulk.pricePerMillionTokens(options.pricePerMillionTokens);
  let expectedDimension = options.expectedDimension;
  let embedded = 0;
  let error: unknown;
  let pending = options.texts.map((_, position) => position);
  let failures: { position: number; message: string }[] = [];
  const jobs = new Set<string>();
  const stored = new Uint8Array(options.texts.length);

  for (let round = 0; round <= bulk.failedRecordRetries && pending.length > 0; round += 1) {
    // A follow-up round only when the service takes that few records in a job.
    if (round > 0 && !bulk.accepts(pending.length, options.inputType)) break;
    failures = [];
    const groups = equalGroups(pending, bulk.maxTextsPerJob);
    const running = new Map<number, number>();
    const report = (): void => {
      let inFlight = 0;
      for (const count of running.values()) inFlight += count;
      options.onProgress(embedded + inFlight);
    };
    let next = 0;
    const runJob = async (group: number[], slot: number): Promise<void> => {
      let lastStatus = "";
      const texts = group.map((position) => options.texts[position] as string);
      let response: BulkEmbedResponse;
      try {
        response = await bulk.embed({
          texts,
          inputType: options.inputType,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (progress) => {
            jobs.add(progress.job);
            if (progress.status !== lastStatus) {
              lastStatus = progress.status;
              options.emit({ kind: "bulk-job", ...progress });
            }
            running.set(slot, progress.succeeded);
            report();
          },
        });
      } catch (thrown) {
        error ??= thrown;
        for (const position of group) failures.push({ position, message: "its job did not complete" });
        return;
      } finally {
        running.delete(slot);
      }
      jobs.add(response.job);
      const received: number[] = [];
      const vectors: Float32Array[] = [];
      const reasons = new Map(response.failures.map((failure) => [failure.index, failure.message]));
      if (!Array.isArray(response.embeddings) || response.embeddings.length !== texts.length) {
        error ??= malformed(
          provider,
          `job ${response.job} returned ${response.embeddings?.length} entries for ${texts.length} texts`,
        );
        return;
      }
      response.embeddings.forEach((vector, index) => {
        if (vector === undefined) {
          failures.push({
            position: group[index] as number,
            message: reasons.get(index) ?? "no vector and no reason given",
          });
        } else {
          received.push(group[index] as number);
          vectors.push(vector);
        }
      });
      try {
        if (vectors.length > 0) {
          expectedDimension = validateEmbeddings(provider, vectors, vectors.length, expectedDimension);
          options.store(received, vectors, response.warnings ?? []);
          for (const position of received) stored[position] = 1;
        }
      } catch (thrown) {
        error ??= thrown;
        return;
      }
      const tokens =
        response.usage?.tokens ??
        estimateTokens(received.map((position) => options.texts[position] as string));
      options.recorder.recordBulkJob({
        texts: vectors.length,
        tokens,
        tokensSource: response.usage?.source ?? "estimated",
        pricePerMillionTokens: price,
      });
      for (const warning of response.warnings ?? []) options.warn(warning);
      embedded += vectors.length;
      report();
    };
    // A few jobs at once; after a failure no new job starts, and those running finish (they are paid).
    await Promise.all(
      Array.from({ length: Math.min(bulk.maxConcurrentJobs, groups.length) }, async (_, slot) => {
        while (next < groups.length && error === undefined && !options.signal?.aborted) {
          const group = groups[next++] as number[];
          await runJob(group, slot);
        }
      }),
    );
    if (error !== undefined || options.signal?.aborted) break;
    pending = failures.map((failure) => failure.position);
  }

  const missing = options.texts.map((_, position) => position).filter((position) => stored[position] === 0);
  if (error === undefined && missing.length > 0 && !options.signal?.aborted) {
    error = failedRecordsError(provider, bulk, failures, options.texts.length, [...jobs]);
  }
  return { missing, expectedDimension, error };
}

/** Splits `positions` into the fewest groups of at most `size`, of equal size give or take one. */
function equalGroups(positions: readonly number[], size: number): number[][] {
  const count = Math.max(1, Math.ceil(positions.length / Math.max(1, size)));
  const groups: number[][] = [];
  for (let group = 0; group < count; group += 1) {
    const start = Math.floor((group * positions.length) / count);
    const end = Math.floor(((group + 1) * positions.length) / count);
    groups.push(positions.slice(start, end));
  }
  return groups;
}

function malformed(provider: EmbeddingProvider, problem: string): ProviderError {
  return new ProviderError(`${provider.provider} ${provider.modelId}: ${problem}`, {
    provider: provider.provider,
    retryable: false,
    hint: "The provider plugin returned a malformed job result; report it to the plugin's authors.",
  });
}

function failedRecordsError(
  provider: EmbeddingProvider,
  bulk: BulkEmbedding,
  failures: { position: number; message: string }[],
  total: number,
  jobs: string[],
): EmbedEvalError {
  const examples = [...new Set(failures.map((failure) => failure.message))].slice(0, 3);
  const tried = bulk.failedRecordRetries > 0 ? ` (after ${bulk.failedRecordRetries} follow-up job(s))` : "";
  return new ProviderError(
    `${provider.provider} ${provider.modelId}: ${failures.length} of ${total} texts failed in job(s) ${jobs.join(", ")}${tried}: ${examples.join("; ")}`,
    {
      provider: provider.provider,
      retryable: false,
      providerCode: "RecordsFailed",
      hint: `The other ${total - failures.length} vectors are cached: rerun to send only the ${failures.length} failed texts (in a job of their own when there are enough of them for one, otherwise in ordinary calls), or let the provider retry them in follow-up jobs (Bedrock: \`options.batchRetryFailedRecords\`).`,
    },
  );
}
