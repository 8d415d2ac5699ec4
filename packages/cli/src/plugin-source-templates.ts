// The `new-plugin` scaffolder's templates for the plugin's source: its index and its provider; pluginTemplateFiles (plugin-template.ts)
// fills their placeholders.

export const indexTemplate = `
/**
 * __package__: the default export is the ProviderPlugin embedeval loads when a config names this
 * package as a model's provider.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { __Provider__EmbeddingProvider } from "./__provider__-embedding-provider.js";

export { __Provider__EmbeddingProvider, __providerCamel__OptionNames } from "./__provider__-embedding-provider.js";

export function create__Provider__Provider(settings: ProviderSettings): __Provider__EmbeddingProvider {
  return new __Provider__EmbeddingProvider(settings);
}

export const plugin: ProviderPlugin = {
  // The provider contract version this plugin implements; embedeval refuses a plugin for another one.
  specificationVersion: "__specificationVersion__",
  name: "__provider__",
  knownModels: ["__provider__-embed-1"],
  create: create__Provider__Provider,
};

export default plugin;
`;

export const providerTemplate = String.raw`
/**
 * The __provider__ provider: a pure translation between embedeval's provider contract and one HTTP call.
 * The runtime does the batching, retries, rate limiting and caching; this class only reports, through
 * ProviderError, whether a failure is worth retrying. Edit the wire format to your API's.
 *
 * Wire format (a placeholder API; replace it with yours):
 *   POST {endpoint}/v1/embeddings, "authorization: Bearer <key>",
 *   {"model", "input": [up to 128 strings], "input_type": "query" | "document", "dimensions"}
 *   -> 200 {"data": [{"index", "embedding": [...]}], "usage": {"total_tokens": n}}, header x-request-id.
 *   Errors: status and {"error": {"type", "message"}}; a 429 carries retry-after (seconds).
 */
import {
  abortReason,
  ConfigError,
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  estimateTokens,
  numberVector,
  objectField,
  type ProviderCapabilities,
  ProviderError,
  type ProviderSettings,
  parseJsonResponse,
  parseResponseVectors,
  readPositiveInteger,
  readString,
  redactSecrets,
  rejectUnknownOptions,
  vectorList,
} from "@embedeval/provider-contract";

export const __providerCamel__OptionNames = ["endpoint", "dimensions"] as const;
const maxInputsPerCall = 128;

/** Each model's default vector size; options.dimensions overrides it. */
const defaultDimensions: Readonly<Record<string, number>> = { "__provider__-embed-1": 256 };

/** Error types the API documents as worth sending again. */
const retryableTypes = new Set(["rate_limited", "overloaded", "server_error"]);

export class __Provider__EmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "__specificationVersion__" as const;
  readonly provider = "__provider__";
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly endpoint: string;
  private readonly apiKey: string;
  private readonly dimensions: number;

  constructor(settings: ProviderSettings) {
    const { options, environment } = settings;
    rejectUnknownOptions(options, __providerCamel__OptionNames, "the __provider__ provider");
    this.modelId = settings.model;
    const endpoint = readString(options, "endpoint") ?? environment.__PROVIDER___BASE_URL;
    if (!endpoint) {
      throw new ConfigError("The __provider__ endpoint is missing.", {
        hint: "Set options.endpoint on the model, or __PROVIDER___BASE_URL in the environment.",
      });
    }
    this.endpoint = endpoint.replace(/\/$/, "");
    const apiKey = environment.__PROVIDER___API_KEY;
    if (!apiKey) {
      throw new ConfigError("The __provider__ API key is missing.", {
        hint: "Set __PROVIDER___API_KEY in the environment (a repository secret in CI).",
      });
    }
    this.apiKey = apiKey;
    const dimensions = readPositiveInteger(options, "dimensions") ?? defaultDimensions[this.modelId];
    if (dimensions === undefined) {
      throw new ConfigError("The vector size of model " + JSON.stringify(this.modelId) + " is unknown.", {
        hint: "Set options.dimensions to the size of the vectors the model returns.",
      });
    }
    this.dimensions = dimensions;
    this.capabilities = { maxInputsPerCall, dimensions, normalized: true, supportsParallelCalls: true };
    // Every option that changes the vectors: part of the embedding cache key.
    this.vectorOptions = { dimensions };
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (signal?.aborted) throw abortReason(signal, "__provider__");
    const target = "model " + this.modelId;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint + "/v1/embeddings", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + this.apiKey },
        body: JSON.stringify({
          model: this.modelId,
          input: texts,
          input_type: inputType,
          dimensions: this.dimensions,
        }),
        ...(signal ? { signal } : {}),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "__provider__");
      // fetch puts the socket's error in "cause": the request got no complete answer, so sending it
      // again may work.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ProviderError(
        "__provider__ " + target + ": connection failed: " + redactSecrets(String(cause?.message ?? error), [this.apiKey]),
        { provider: this.provider, retryable: true, providerCode: cause?.code ?? "NetworkError" },
      );
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const context = { provider: this.provider, target, requestId, secrets: [this.apiKey] };
    if (!response.ok) throw this.apiError(response, text, context);
    const json = parseJsonResponse(text, context);
    const embeddings = parseResponseVectors(
      context,
      { dimension: "The API returned vectors of another size than options.dimensions; check the model id." },
      () => {
        const data = vectorList(objectField(json, "data"), texts.length, "data");
        // Answers may come in any order: each item says which input it belongs to.
        const ordered = new Array<Float32Array>(texts.length);
        data.forEach((item, position) => {
          const index = objectField(item, "index");
          const slot = typeof index === "number" ? index : position;
          ordered[slot] = numberVector(objectField(item, "embedding"), this.dimensions, "data[" + position + "]");
        });
        return ordered;
      },
    );
    const tokens = objectField(objectField(json, "usage"), "total_tokens");
    return {
      embeddings,
      usage:
        typeof tokens === "number"
          ? { tokens, source: "provider" }
          : { tokens: estimateTokens(texts), source: "estimated" },
      ...(requestId ? { requestIds: [requestId] } : {}),
    };
  }

  private apiError(
    response: Response,
    text: string,
    context: { target: string; requestId: string | undefined; secrets: string[] },
  ): ProviderError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const error = objectField(body, "error");
    const type = String(objectField(error, "type") ?? "http_" + response.status);
    const message = redactSecrets(String(objectField(error, "message") ?? text).slice(0, 500), context.secrets);
    const retryAfterSeconds = Number(response.headers.get("retry-after"));
    return new ProviderError("__provider__ " + context.target + ": " + type + " (HTTP " + response.status + "): " + message, {
      provider: this.provider,
      retryable: retryableTypes.has(type) || response.status >= 500,
      throttled: response.status === 429,
      status: response.status,
      providerCode: type,
      requestId: context.requestId,
      ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? { retryAfterMs: retryAfterSeconds * 1000 } : {}),
      hint:
        response.status === 401
          ? "Check __PROVIDER___API_KEY."
          : response.status === 400
            ? "Check the model id and options.dimensions."
            : undefined,
    });
  }
}
`;
