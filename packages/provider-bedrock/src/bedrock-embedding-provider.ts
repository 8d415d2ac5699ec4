/**
 * One configured Bedrock embedding model: translates the provider contract into one InvokeModel
 * call and back. No batching beyond one call, no retries (the client runs with maxAttempts 1 so the
 * runtime is the only retry layer), no cache, no timing.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 */
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  type InvokeModelCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import {
  abortReason,
  type EmbeddingProvider,
  EmbedEvalError,
  type EmbedRequest,
  type EmbedResponse,
  estimateTokens,
  type ProviderCapabilities,
  type ProviderSettings,
  parseJsonResponse,
  parseResponseVectors,
  readString,
  rejectUnknownOptions,
  type Usage,
} from "@embedeval/provider-contract";
import { readAwsClientSettings } from "@embedeval/provider-contract/aws";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { classifyBedrockError } from "./bedrock-error.js";
import { cutToLength } from "./cut-to-length.js";
import type { ConfiguredModelFamily, ModelFamily } from "./model-family.js";
import { resolveModelFamily } from "./model-family-registry.js";

/** Options the provider reads whatever the model family; each family adds its own (`optionNames`). */
export const providerOptionNames = [
  "region",
  "profile",
  "endpoint",
  "requestTimeoutMs",
  "modelFamily",
] as const;

/** Bedrock reports input tokens for every InvokeModel call in this response header. */
const tokenCountHeader = "x-amzn-bedrock-input-token-count";

export interface BedrockProviderOverrides {
  /** A ready client (tests, custom middleware). The provider does not destroy a client it did not create. */
  client?: BedrockRuntimeClient;
}

/** The SDK client, whether this provider made it (and so destroys it), and the secrets to mask. */
interface Connection {
  client: BedrockRuntimeClient;
  ownsClient: boolean;
  secrets: readonly string[];
}

function createClient(settings: ProviderSettings): Connection {
  const { clientConfig, requestTimeoutMs, secrets } = readAwsClientSettings(settings, {
    endpointVariable: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    subject: "the Bedrock model",
    regionHint: "Set `options.region` (e.g. us-east-1) in the config, or AWS_REGION in the environment.",
  });
  const client = new BedrockRuntimeClient({
    ...clientConfig,
    // HTTP/1.1 with keep-alive, as boto3 does, instead of this client's default HTTP/2 handler: one
    // multiplexed session per client turns a single stalled or reset connection into a failure of
    // every call in flight, while independent sockets fail (and are retried) one call at a time.
    requestHandler: new NodeHttpHandler(
      requestTimeoutMs ? { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } : {},
    ),
  });
  return { client, ownsClient: true, secrets };
}

export class BedrockEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "bedrock";
  readonly modelId: string;
  readonly family: ModelFamily;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly configured: ConfiguredModelFamily;
  private readonly connection: Connection;

  constructor(settings: ProviderSettings, overrides: BedrockProviderOverrides = {}) {
    this.modelId = settings.model;
    this.family = resolveModelFamily(settings.model, readString(settings.options, "modelFamily"));
    rejectUnknownOptions(
      settings.options,
      [...providerOptionNames, ...this.family.optionNames],
      this.family.displayName,
    );
    this.configured = this.family.configure(settings.options);
    this.capabilities = this.configured.capabilities;
    this.vectorOptions = Object.freeze({ ...this.configured.vectorOptions });
    this.connection = overrides.client
      ? { client: overrides.client, ownsClient: false, secrets: [] }
      : createClient(settings);
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (texts.length === 0) return { embeddings: [], usage: { tokens: 0, source: "provider" } };
    if (texts.length > this.capabilities.maxInputsPerCall) {
      throw new EmbedEvalError(
        "internal",
        `${this.family.displayName} takes at most ${this.capabilities.maxInputsPerCall} text(s) per call; got ${texts.length}.`,
        { hint: "Batch by capabilities.maxInputsPerCall before calling embed." },
      );
    }
    if (signal?.aborted) throw abortReason(signal, "Bedrock");
    const { sent, warnings } = this.cutLongTexts(texts);
    const body = this.configured.requestBody(sent, inputType);
    const command = new InvokeModelCommand({
      modelId: this.modelId,
      contentType: "application/json",
      accept: "application/json",
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    // InvokeModel's output does not expose arbitrary response headers, and the token count for
    // Cohere only comes in one. A middleware on this command's own stack sees the raw HTTP response,
    // so the capture is per request even with many calls in flight on one client.
    let responseHeaders: Record<string, string> = {};
    command.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
        if (headers) responseHeaders = headers;
        return result;
      },
      { step: "deserialize", name: "embedevalCaptureResponseHeaders" },
    );

    const target = `model ${this.modelId}`;
    let output: InvokeModelCommandOutput;
    try {
      output = await this.connection.client.send(command, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "Bedrock");
      throw classifyBedrockError(error, {
        provider: this.provider,
        target,
        secrets: this.connection.secrets,
      });
    }
    const requestId = output.$metadata.requestId;
    const text = output.body?.transformToString() ?? "";
    const json = parseJsonResponse(text, {
      provider: this.provider,
      target,
      requestId,
      secrets: this.connection.secrets,
    });
    const parsed = parseResponseVectors(
      { provider: this.provider, target, requestId },
      {
        dimension:
          "The model returned vectors of another size than configured; check `options.dimensions` and the model id.",
      },
      () => this.configured.parseResponse(json, sent),
    );
    return {
      embeddings: parsed.embeddings,
      usage: this.usage(responseHeaders, parsed.tokens, sent),
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private cutLongTexts(texts: readonly string[]): { sent: readonly string[]; warnings: string[] } {
    const limit = this.capabilities.maxCharactersPerInput;
    const cut = this.configured.characterCut;
    if (limit === undefined || cut === undefined || texts.every((text) => text.length <= limit)) {
      return { sent: texts, warnings: [] };
    }
    const sent = texts.map((text) => cutToLength(text, limit, cut));
    const count = texts.filter((text) => text.length > limit).length;
    return {
      sent,
      warnings: [
        `${count} text(s) over ${this.family.displayName}'s ${limit}-character limit were cut to ${limit} characters (${cut === "keep-start" ? "end" : "start"} dropped, per \`truncate\`).`,
      ],
    };
  }

  private usage(
    headers: Record<string, string>,
    bodyTokens: number | undefined,
    texts: readonly string[],
  ): Usage {
    const headerValue = headers[tokenCountHeader] ?? headers[tokenCountHeader.toUpperCase()];
    const headerTokens = headerValue === undefined ? Number.NaN : Number(headerValue);
    if (Number.isFinite(headerTokens)) return { tokens: headerTokens, source: "provider" };
    if (bodyTokens !== undefined) return { tokens: bodyTokens, source: "provider" };
    // About four characters a token for English text: an estimate, labelled as one.
    return { tokens: estimateTokens(texts), source: "estimated" };
  }

  async close(): Promise<void> {
    if (this.connection.ownsClient) this.connection.client.destroy();
  }
}
