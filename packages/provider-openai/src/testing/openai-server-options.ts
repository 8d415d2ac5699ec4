import type { FaultInjectingServer, FaultOptions, RecordedEmbeddingCall } from "@embedeval/provider-testkit";

/** A model the server serves. */
export interface ServedModel {
  /** Vector size when `dimensions` is not sent. */
  dimensions: number;
  /** Whether `dimensions` may be sent (the v3 models: shortened and normalised again). */
  acceptsDimensions: boolean;
  /** Unit-length vectors (OpenAI's are); false gives vectors of another norm, as some open models do. */
  normalize: boolean;
  /** Body fields this model's server accepts besides OpenAI's (vLLM's `truncate_prompt_tokens`, ...). */
  extraFields?: readonly string[];
}

export const defaultServedModels: Readonly<Record<string, ServedModel>> = {
  "text-embedding-3-small": { dimensions: 1536, acceptsDimensions: true, normalize: true },
  "text-embedding-3-large": { dimensions: 3072, acceptsDimensions: true, normalize: true },
  "text-embedding-ada-002": { dimensions: 1536, acceptsDimensions: false, normalize: true },
};

export type RetryAfterHeader = "retry-after-ms" | "retry-after" | "x-ratelimit";

export interface RecordedOpenAICall extends RecordedEmbeddingCall {
  route: "openai" | "azure" | "unknown";
  /** `model` from the body (OpenAI route) or the deployment's model (Azure). */
  model: string | undefined;
  deployment: string | undefined;
  apiVersion: string | undefined;
  /** Milliseconds (performance.now) when the request arrived. */
  receivedAt: number;
  /** Tokens billed: set when a 200 carrying usage was sent in full. */
  billedTokens: number | undefined;
}

export interface OpenAIServerOptions extends FaultOptions<RecordedOpenAICall> {
  /** The key `/v1/embeddings` requires as `Authorization: Bearer`; unset: no key needed (a local server). */
  apiKey?: string;
  /** Azure: the `api-key` header value accepted. */
  azureApiKey?: string;
  /** Azure: the Microsoft Entra token accepted as `Authorization: Bearer`. */
  azureEntraToken?: string;
  /** Azure deployments, name to model; default: one per served model, named like it. */
  deployments?: Readonly<Record<string, string>>;
  /** Models served; default: OpenAI's three. */
  models?: Readonly<Record<string, ServedModel>>;
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
  maxTokensPerInput?: number;
  /** The wait a 429 asks for; default 20 ms. */
  retryAfterMs?: number;
  /** Which headers carry it; default all three. */
  retryAfterHeaders?: readonly RetryAfterHeader[];
  /** false: answers carry no `usage` (some compatible servers). Default true. */
  reportUsage?: boolean;
  /** true: `data` comes in reverse order (each item keeps its `index`). */
  reverseData?: boolean;
}

export interface OpenAIServer extends FaultInjectingServer<RecordedOpenAICall> {
  /** `${url}/v1`: the plugin's `baseURL`. */
  baseURL: string;
  /** Tokens billed so far: the sum of `billedTokens` over every call. */
  billedTokens(): number;
}
