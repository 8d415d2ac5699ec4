/**
 * An optional capability of an EmbeddingProvider: embedding many texts in asynchronous jobs (Amazon
 * Bedrock batch inference) rather than in embed() calls. Jobs are large and slow (minutes to hours) and
 * cheaper (Bedrock batch: half the on-demand price), so the runtime uses them for what is left to embed
 * after the cache, when the provider accepts that many texts. The plugin stays a translation: one
 * `embed` here is one job (write the input, start, poll, read the output); the runtime splits work into
 * jobs, caches what each returns and decides what happens to records that failed.
 * Decision record: docs/decisions/0010-bedrock-batch-inference.md.
 */
import type { InputType, Usage } from "./embedding-provider.js";

export interface BulkEmbedding {
  /** Most texts one job takes; the runtime splits a larger set into jobs of equal size. */
  readonly maxTextsPerJob: number;
  /** Jobs the runtime runs at once (the service's quota of concurrent jobs). */
  readonly maxConcurrentJobs: number;
  /**
   * Follow-up jobs the runtime submits for the records that failed, one after the other, before it gives
   * up on them. 0: the run fails naming them, the rest being cached, so a rerun pays only for them.
   */
  readonly failedRecordRetries: number;
  /** Whether `count` texts of `inputType`, not in the cache, go through jobs rather than embed() calls. */
  accepts(count: number, inputType: InputType): boolean;
  /** USD per million tokens embedded in jobs, given the model's on-demand price (null: unknown). */
  pricePerMillionTokens(onDemand: number | null): number | null;
  embed(request: BulkEmbedRequest): Promise<BulkEmbedResponse>;
}

export interface BulkEmbedRequest {
  texts: readonly string[];
  inputType: InputType;
  /** Ctrl-C: the plugin stops the job it started, then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The job's state as the service reports it, each time the plugin polls. */
  onProgress?: (progress: BulkJobProgress) => void;
}

export interface BulkJobProgress {
  /** The service's job id (an ARN for Bedrock). */
  job: string;
  /** The service's status word, e.g. Submitted, InProgress. */
  status: string;
  /** Texts in the job, and those embedded or failed so far when the service says (else 0). */
  texts: number;
  succeeded: number;
  failed: number;
}

export interface BulkEmbedResponse {
  /** The job's id. */
  job: string;
  /** One entry per input text, in input order: its vector, or undefined when its record failed. */
  embeddings: (Float32Array | undefined)[];
  /** Why texts failed, by input position; every undefined vector has an entry. */
  failures: { index: number; message: string }[];
  /** Input tokens of the texts embedded. */
  usage: Usage;
  warnings?: string[];
}
