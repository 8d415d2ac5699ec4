/**
 * The provider contract, version 1: what a plugin implements so embedeval can evaluate its model.
 *
 * A plugin is a pure translation between this contract and one wire format. It does not batch
 * beyond one call, retry, cache, rate-limit or time calls: the runtime owns all of that, so every
 * provider behaves the same under throttling and failure. Learned from vercel/ai EmbeddingModelV4
 * and MTEB's `encode(..., prompt_type)`.
 */

/**
 * The contract version this package defines. A plugin states the version it implements in
 * `specificationVersion`; the engine refuses a plugin written for another version, naming both.
 */
export const providerSpecificationVersion = "v1";
export type ProviderSpecificationVersion = typeof providerSpecificationVersion;

/** Queries and documents are embedded differently by many models (Cohere input_type, E5 prefixes). */
export type InputType = "query" | "document";

export type OutputType = "float" | "int8" | "uint8" | "binary" | "ubinary";

export interface ProviderCapabilities {
  /** Most texts one `embed` call accepts (Titan: 1, Cohere on Bedrock: 96, OpenAI: 2048). */
  maxInputsPerCall: number;
  /** Longest text in characters the provider accepts, when it has such a limit. */
  maxCharactersPerInput?: number;
  /** Longest text in tokens, when known. */
  maxTokensPerInput?: number;
  /** Largest request body in bytes (SageMaker: about 6 MB); the runtime sizes batches to stay under it. */
  maxRequestBytes?: number;
  /** The dimension of the vectors this configured model returns. Undefined when only known after a call. */
  dimensions?: number;
  /** True when the provider already returns unit-length vectors. */
  normalized: boolean;
  /** Whether several calls may be in flight at once. */
  supportsParallelCalls: boolean;
}

export interface EmbedRequest {
  texts: readonly string[];
  inputType: InputType;
  /** Aborts the call (Ctrl-C, per-request timeout). Plugins pass it to their HTTP client. */
  signal?: AbortSignal;
}

export interface Usage {
  /** Input tokens for the call. */
  tokens: number;
  /** "provider" when the provider counted them; "estimated" when we did (about 4 characters a token). */
  source: "provider" | "estimated";
}

export interface EmbedResponse {
  /** One vector per input text, in input order. */
  embeddings: Float32Array[];
  usage: Usage;
  requestIds?: string[];
  warnings?: string[];
}

/**
 * A configured embedding model. `vectorOptions` lists every option that changes the vectors
 * (dimensions, normalisation, truncation, prefixes, output type); it is part of the cache key.
 */
export interface EmbeddingProvider {
  readonly specificationVersion: ProviderSpecificationVersion;
  /** The provider's name as written in config, e.g. "bedrock". */
  readonly provider: string;
  /** The provider's model id, e.g. "amazon.titan-embed-text-v2:0". */
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  embed(request: EmbedRequest): Promise<EmbedResponse>;
  /**
   * Optional: asynchronous jobs for large sets of texts (Bedrock batch inference), used by the runtime
   * when `bulk.accepts` the texts left after the cache. Vectors are the same as embed()'s.
   */
  readonly bulk?: BulkEmbedding;
  /** Releases clients, sessions and sockets. */
  close?(): Promise<void>;
}

/**
 * A lexical retriever (BM25) ranks documents itself instead of producing dense vectors.
 * It is the reference row of every BEIR table.
 */
export interface Retriever {
  readonly specificationVersion: ProviderSpecificationVersion;
  readonly provider: string;
  readonly modelId: string;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  /** Indexes the corpus once, then returns the top `topK` documents for each query. */
  retrieve(input: RetrieveInput): Promise<Map<string, ScoredDocument[]>>;
}

export interface RetrieveInput {
  documents: ReadonlyArray<{ id: string; text: string }>;
  queries: ReadonlyArray<{ id: string; text: string }>;
  topK: number;
  signal?: AbortSignal;
}

export interface ScoredDocument {
  id: string;
  score: number;
}

/** Everything a plugin's factory receives from config. */
export interface ProviderSettings {
  /** The model id written in config under `model`. */
  model: string;
  /** Provider-specific options from config (`options:`), already YAML-parsed. */
  options: Readonly<Record<string, unknown>>;
  /** The folder of the config file, to resolve relative paths. */
  baseDirectory: string;
  /** Environment variables; plugins read defaults from here, never from process.env directly. */
  environment: Readonly<Record<string, string | undefined>>;
  /**
   * A folder this provider may keep files in between runs (what it learnt about its inputs, say),
   * inside the run's cache directory; undefined when the run caches nothing (`--no-cache`,
   * `cache.enabled: false`). Created by the provider when it first writes; anything in it may be
   * deleted between runs, so it holds only what can be computed again.
   */
  cacheDirectory?: string;
}

/**
 * What a provider package exports as its default export (or as `provider`). Third-party packages
 * implement this; config names them by package name (`provider: "@acme/embedeval-provider-x"`).
 */
export interface ProviderPlugin {
  readonly specificationVersion: ProviderSpecificationVersion;
  /** The name used in config, e.g. "bedrock". */
  readonly name: string;
  /** Model families or ids this plugin knows, for error messages and `embedeval tasks`/docs. */
  readonly knownModels?: readonly string[];
  /** List prices in USD per million input tokens, keyed by model id. */
  readonly pricesPerMillionTokens?: Readonly<Record<string, number>>;
  create(settings: ProviderSettings): EmbeddingProvider | Retriever | Promise<EmbeddingProvider | Retriever>;
}

export function isRetriever(model: EmbeddingProvider | Retriever): model is Retriever {
  return typeof (model as Retriever).retrieve === "function";
}

/**
 * An optional capability of an EmbeddingProvider (`bulk`): embedding many texts in asynchronous jobs
 * (Amazon Bedrock batch inference) rather than in embed() calls. Jobs are large and slow (minutes to hours) and
 * cheaper (Bedrock batch: half the on-demand price), so the runtime uses them for what is left to embed
 * after the cache, when the provider accepts that many texts. The plugin stays a translation: one
 * `embed` here is one job (write the input, start, poll, read the output); the runtime splits work into
 * jobs, caches what each returns and decides what happens to records that failed.
 * Decision record: docs/decisions/0010-bedrock-batch-inference.md.
 */
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
