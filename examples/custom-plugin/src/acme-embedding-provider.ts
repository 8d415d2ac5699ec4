/**
 * A third-party provider for the (fictional) Acme Embeddings API, as a plugin author would write one:
 * a pure translation between embedeval's provider contract and one HTTP call. The runtime does the
 * batching, retries, rate limiting and caching; this class only reports, through ProviderError,
 * whether a failure is worth retrying.
 *
 * Wire format (the Acme API reference, v1):
 *   POST {endpoint}/v1/embeddings, `Authorization: Bearer <key>`,
 *   `{"model", "inputs": [<= 64 strings], "input_type": "query" | "document", "dimensions": 128 | 256}`
 *   -> 200 `{"id", "embeddings": [[...], ...], "usage": {"input_tokens": n}}`, header `x-request-id`.
 *   Errors: status + `{"error": {"type", "message"}}`; 429 `rate_limited` carries `retry-after` (seconds).
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
  readChoice,
  readString,
  redactSecrets,
  rejectUnknownOptions,
  vectorList,
} from "@embedeval/provider-contract";
import { retryAfterMs } from "@embedeval/provider-contract/aws";

export const acmeOptionNames = ["endpoint", "dimensions"] as const;
const defaultEndpoint = "https://api.acme.example";
const maxInputsPerCall = 64;

/** Error types the API documents that are worth sending again. */
const retryableTypes = new Set(["rate_limited", "overloaded", "server_error"]);

export class AcmeEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "acme";
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly endpoint: string;
  private readonly apiKey: string;
  private readonly dimensions: 128 | 256;

  constructor(settings: ProviderSettings) {
    const { options, environment } = settings;
    rejectUnknownOptions(options, acmeOptionNames, "the Acme provider");
    this.modelId = settings.model;
    this.endpoint = (readString(options, "endpoint") ?? environment.ACME_BASE_URL ?? defaultEndpoint).replace(
      /\/$/,
      "",
    );
    const apiKey = environment.ACME_API_KEY;
    if (!apiKey) {
      throw new ConfigError("The Acme API key is missing.", {
        hint: "Set ACME_API_KEY in the environment (a repository secret in CI).",
      });
    }
    this.apiKey = apiKey;
    this.dimensions = readChoice(options, "dimensions", [128, 256] as const, "the Acme provider") ?? 256;
    this.capabilities = {
      maxInputsPerCall,
      dimensions: this.dimensions,
      normalized: true,
      supportsParallelCalls: true,
    };
    this.vectorOptions = { dimensions: this.dimensions };
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (signal?.aborted) throw abortReason(signal, "Acme");
    const target = `model ${this.modelId}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.endpoint}/v1/embeddings`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify({
          model: this.modelId,
          inputs: texts,
          input_type: inputType,
          dimensions: this.dimensions,
        }),
        ...(signal ? { signal } : {}),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "Acme");
      // fetch puts the socket's error in `cause` (ECONNREFUSED, UND_ERR_SOCKET for a reset mid-body):
      // the request never got a complete answer, so sending it again may work.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ProviderError(
        `acme ${target}: connection failed: ${redactSecrets(String(cause?.message ?? error), [this.apiKey])}`,
        { provider: this.provider, retryable: true, providerCode: cause?.code ?? "NetworkError" },
      );
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const context = { provider: this.provider, target, requestId, secrets: [this.apiKey] };
    if (!response.ok) throw this.apiError(response, text, context);
    const json = parseJsonResponse(text, context);
    const embeddings = parseResponseVectors(
      context,
      {
        dimension: "The API returned vectors of another size than `options.dimensions`; check the model id.",
      },
      () =>
        vectorList(objectField(json, "embeddings"), texts.length, "embeddings").map((vector, index) =>
          numberVector(vector, this.dimensions, `embeddings[${index}]`),
        ),
    );
    const tokens = objectField(objectField(json, "usage"), "input_tokens");
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
    const type = String(objectField(error, "type") ?? `http_${response.status}`);
    const message = redactSecrets(
      String(objectField(error, "message") ?? text).slice(0, 500),
      context.secrets,
    );
    return new ProviderError(`acme ${context.target}: ${type} (HTTP ${response.status}): ${message}`, {
      provider: this.provider,
      retryable: retryableTypes.has(type) || response.status >= 500,
      throttled: type === "rate_limited",
      status: response.status,
      providerCode: type,
      requestId: context.requestId,
      retryAfterMs: retryAfterMs(Object.fromEntries(response.headers)),
      hint:
        response.status === 401
          ? "Check ACME_API_KEY."
          : type === "invalid_request"
            ? "Check the model id and `options.dimensions` (128 or 256)."
            : undefined,
    });
  }
}
