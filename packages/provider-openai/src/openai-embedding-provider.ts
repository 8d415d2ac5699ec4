/**
 * One configured model behind a `/embeddings` endpoint: translates the provider contract into one POST
 * and back, with Node's own fetch. No batching beyond one call, no retries, no cache, no timing: the
 * runtime owns those (decision 0007 says why this is plain fetch and not the `openai` SDK).
 * https://platform.openai.com/docs/api-reference/embeddings/create
 */
import {
  abortReason,
  checkDimensions,
  type EmbeddingProvider,
  EmbedEvalError,
  type EmbedRequest,
  type EmbedResponse,
  estimateTokens,
  objectField,
  type ProviderCapabilities,
  type ProviderSettings,
  parseJsonResponse,
  parseResponseVectors,
  UnexpectedResponseError,
  type Usage,
  vectorList,
} from "@embedeval/provider-contract";
import { decodeEmbedding } from "./decode-embedding.js";
import { classifyErrorResponse, classifyNetworkError, type ErrorContext } from "./openai-error.js";
import { type OpenAIOptions, readOpenAIOptions } from "./read-openai-options.js";

/**
 * Bytes the runtime adds to its per-request body estimate (see core's planBatches): a request budget of
 * N tokens becomes N + this many bytes of `maxRequestBytes`.
 */
const runtimeEnvelopeBytes = 1024;

/** Cuts a text to at most `limit` UTF-16 units without splitting a surrogate pair. */
function cutToCharacters(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

/**
 * The token budget of one request as the runtime's byte budget. Every tokenizer in use (byte-level BPE
 * as OpenAI's, WordPiece, SentencePiece) spends at least one byte of UTF-8 text per token, apart from a
 * few special tokens per input that the runtime's per-text allowance (3 bytes and an eighth) covers; so
 * a request of at most N bytes of text has at most N tokens. The prefixes are sent but not seen by the
 * runtime, so their worst case (every input of a full call) comes off the budget.
 */
function requestBytesFor(options: OpenAIOptions): number | undefined {
  if (options.maxTokensPerRequest === undefined) return undefined;
  const prefixBytes = Math.max(
    Buffer.byteLength(options.queryPrefix, "utf8"),
    Buffer.byteLength(options.documentPrefix, "utf8"),
  );
  const budget = options.maxTokensPerRequest - prefixBytes * options.maxInputsPerRequest;
  return Math.max(runtimeEnvelopeBytes + 1, budget + runtimeEnvelopeBytes);
}

export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "openai";
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  readonly options: OpenAIOptions;
  private readonly target: string;

  constructor(settings: ProviderSettings) {
    this.modelId = settings.model;
    this.options = readOpenAIOptions(settings);
    const options = this.options;
    this.target =
      options.api === "azure"
        ? `deployment ${options.deployment} at ${options.displayURL}`
        : `model ${this.modelId} at ${options.displayURL}`;
    const knownDimensions = options.vectorOptions.dimensions;
    const maxRequestBytes = requestBytesFor(options);
    this.capabilities = {
      maxInputsPerCall: options.maxInputsPerRequest,
      ...(options.maxTokensPerInput !== undefined ? { maxTokensPerInput: options.maxTokensPerInput } : {}),
      ...(maxRequestBytes !== undefined ? { maxRequestBytes } : {}),
      ...(typeof knownDimensions === "number" ? { dimensions: knownDimensions } : {}),
      normalized: options.normalized,
      supportsParallelCalls: true,
    };
    this.vectorOptions = options.vectorOptions;
  }

  /** The JSON body for these texts, as sent. */
  requestBody(texts: readonly string[]): Record<string, unknown> {
    const { options } = this;
    return {
      ...options.extraBody,
      model: this.modelId,
      input: texts,
      encoding_format: options.encodingFormat,
      ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
    };
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (texts.length === 0) return { embeddings: [], usage: { tokens: 0, source: "provider" } };
    if (texts.length > this.capabilities.maxInputsPerCall) {
      throw new EmbedEvalError(
        "internal",
        `${this.target} takes at most ${this.capabilities.maxInputsPerCall} text(s) per call; got ${texts.length}.`,
        { hint: "Batch by capabilities.maxInputsPerCall before calling embed." },
      );
    }
    if (signal?.aborted) throw abortReason(signal, "OpenAI");
    const { options } = this;
    const prefix = inputType === "query" ? options.queryPrefix : options.documentPrefix;
    const limit = options.maxCharactersPerInput;
    const cutCount = limit === undefined ? 0 : texts.filter((text) => text.length > limit).length;
    const sent = texts.map((text) => prefix + (limit === undefined ? text : cutToCharacters(text, limit)));
    const context: ErrorContext = {
      provider: this.provider,
      target: this.target,
      secrets: options.secrets,
      credential: options.credential,
      credentialVariable: options.credentialVariable,
      api: options.api,
      texts: sent,
    };

    const timeout =
      options.requestTimeoutMs === undefined ? undefined : AbortSignal.timeout(options.requestTimeoutMs);
    const signals = [signal, timeout].filter((item): item is AbortSignal => item !== undefined);
    let status: number;
    let headers: Headers;
    let bodyText: string;
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { ...options.headers, "Content-Type": "application/json" },
        body: JSON.stringify(this.requestBody(sent)),
        // Not followed: a redirect would carry the API key (in `api-key` or a custom header) elsewhere.
        redirect: "manual",
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
      status = response.status;
      headers = response.headers;
      bodyText = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "OpenAI");
      throw classifyNetworkError(error, timeout?.aborted === true, context);
    }
    const requestId = headers.get("x-request-id") ?? headers.get("apim-request-id") ?? undefined;
    if (status < 200 || status >= 300) {
      throw classifyErrorResponse(status, headers, bodyText, requestId, context);
    }

    const json = parseJsonResponse(bodyText, {
      provider: this.provider,
      target: this.target,
      ...(requestId ? { requestId } : {}),
      secrets: options.secrets,
    });
    const embeddings = parseResponseVectors(
      { provider: this.provider, target: this.target, ...(requestId ? { requestId } : {}) },
      {
        dimension:
          "The server returned vectors of another size than configured: check `options.dimensions` and the model id.",
        shape:
          "The server's answer is not an OpenAI embeddings response: check `options.baseURL` (most servers end it in /v1).",
      },
      () => this.parseVectors(json, sent.length),
    );
    const warnings =
      cutCount > 0
        ? [
            `${cutCount} text(s) over ${limit} characters were cut to ${limit} characters (the end dropped, per \`maxCharactersPerInput\`).`,
          ]
        : [];
    return {
      embeddings,
      usage: this.usage(json, sent),
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** `data[]` ordered by each item's `index` (the answer's own order is not promised), every index once. */
  private parseVectors(json: unknown, count: number): Float32Array[] {
    const items = vectorList(objectField(json, "data"), count, "data");
    const vectors = new Array<Float32Array | undefined>(count);
    const dimensions = this.capabilities.dimensions;
    items.forEach((item, position) => {
      const index = objectField(item, "index");
      const at = typeof index === "number" ? index : position;
      if (!Number.isInteger(at) || at < 0 || at >= count || vectors[at] !== undefined) {
        throw new UnexpectedResponseError(
          `data[${position}].index is ${JSON.stringify(index)}; expected each of 0..${count - 1} once.`,
          "shape",
        );
      }
      vectors[at] = decodeEmbedding(
        objectField(item, "embedding"),
        dimensions,
        `data[${position}].embedding`,
      );
    });
    const complete = vectors as Float32Array[];
    checkDimensions(complete, dimensions);
    return complete;
  }

  /** `usage.prompt_tokens` as the server counted; an estimate, labelled so, when a server reports none. */
  private usage(json: unknown, texts: readonly string[]): Usage {
    const usage = objectField(json, "usage");
    const tokens = objectField(usage, "prompt_tokens") ?? objectField(usage, "total_tokens");
    // Some compatible servers send 0 for every call: that is "not counted", not "free".
    if (typeof tokens === "number" && Number.isFinite(tokens) && tokens > 0) {
      return { tokens, source: "provider" };
    }
    return { tokens: estimateTokens(texts), source: "estimated" };
  }
}
