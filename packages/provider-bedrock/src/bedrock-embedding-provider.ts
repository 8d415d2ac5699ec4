/**
 * One configured Bedrock embedding model: its model family, and the InvokeModel command of one call.
 * The call itself (client, abort signal, errors, the JSON answer, usage) is the AWS call path every
 * AWS plugin shares, AwsEmbeddingInvoker. No batching beyond one call, no retries (the client runs
 * with maxAttempts 1 so the runtime is the only retry layer), no cache, no timing.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 */
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  type InvokeModelCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import {
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  type InputType,
  type ProviderCapabilities,
  type ProviderSettings,
  readString,
  rejectUnknownOptions,
} from "@embedeval/provider-contract";
import {
  type AwsClientSource,
  type AwsEmbeddingCall,
  AwsEmbeddingInvoker,
  encodeJsonBody,
  readAwsClientSettings,
} from "@embedeval/provider-contract/aws";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type BatchClients, BedrockBatchInference } from "./bedrock-batch-inference.js";
import { batchOptionNames, readBatchSettings } from "./bedrock-batch-options.js";
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
  /** Ready control-plane and S3 clients for batch inference (tests); not destroyed by close(). */
  batchClients?: BatchClients;
}

type BedrockClientSource = AwsClientSource<InvokeModelCommand, InvokeModelCommandOutput>;

/**
 * The client this provider makes on its first call. Its settings are read now, so that a missing
 * region is a config error when the provider is created, not on its first call.
 */
function bedrockClientSource(settings: ProviderSettings): BedrockClientSource {
  const { clientConfig, requestTimeoutMs, secrets } = readAwsClientSettings(settings, {
    endpointVariable: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    subject: "the Bedrock model",
    regionHint: "Set `options.region` (e.g. us-east-1) in the config, or AWS_REGION in the environment.",
  });
  return {
    secrets,
    createClient: () =>
      new BedrockRuntimeClient({
        ...clientConfig,
        // HTTP/1.1 with keep-alive, as boto3 does, instead of this client's default HTTP/2 handler: one
        // multiplexed session per client turns a single stalled or reset connection into a failure of
        // every call in flight, while independent sockets fail (and are retried) one call at a time.
        requestHandler: new NodeHttpHandler(
          requestTimeoutMs ? { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } : {},
        ),
      }),
  };
}

/** The token count in Bedrock's response header, when it is there and a number. */
function headerTokenCount(headers: Record<string, string>): number | undefined {
  const value = headers[tokenCountHeader] ?? headers[tokenCountHeader.toUpperCase()];
  const tokens = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(tokens) ? tokens : undefined;
}

export class BedrockEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "bedrock";
  readonly modelId: string;
  readonly family: ModelFamily;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  /** Batch inference jobs, when `options.batch` or `batchAboveTexts` turn them on. */
  readonly bulk?: BedrockBatchInference;
  private readonly configured: ConfiguredModelFamily;
  private readonly invoker: AwsEmbeddingInvoker<InvokeModelCommand, InvokeModelCommandOutput>;

  constructor(settings: ProviderSettings, overrides: BedrockProviderOverrides = {}) {
    this.modelId = settings.model;
    this.family = resolveModelFamily(settings.model, readString(settings.options, "modelFamily"));
    rejectUnknownOptions(
      settings.options,
      [...providerOptionNames, ...batchOptionNames, ...this.family.optionNames],
      this.family.displayName,
    );
    this.configured = this.family.configure(settings.options);
    this.capabilities = this.configured.capabilities;
    this.vectorOptions = Object.freeze({ ...this.configured.vectorOptions });
    this.invoker = new AwsEmbeddingInvoker({
      provider: this.provider,
      serviceName: "Bedrock",
      target: `model ${this.modelId}`,
      subject: this.family.displayName,
      batchingHint: "Batch by capabilities.maxInputsPerCall before calling embed.",
      capabilities: this.capabilities,
      clientSource: overrides.client ? { client: overrides.client } : bedrockClientSource(settings),
      classifyError: classifyBedrockError,
      responseText: (output) => output.body?.transformToString() ?? "",
      responseHints: {
        dimension:
          "The model returned vectors of another size than configured; check `options.dimensions` and the model id.",
      },
      prepareCall: (texts, inputType) => this.prepareCall(texts, inputType),
    });
    const batch = readBatchSettings(settings.options);
    if (batch) {
      // A job's records are the very bodies embed() sends, so its vectors are the on-demand ones.
      this.bulk = new BedrockBatchInference(
        batch,
        {
          modelId: this.modelId,
          textsPerRecord: this.capabilities.maxInputsPerCall,
          prepare: (texts, inputType) => {
            const { sent, warnings } = this.cutLongTexts(texts);
            return { body: this.configured.requestBody(sent, inputType), sent, warnings };
          },
          parse: (json, sent) => this.configured.parseResponse(json, sent),
        },
        settings,
        overrides.batchClients,
      );
    }
  }

  embed(request: EmbedRequest): Promise<EmbedResponse> {
    return this.invoker.embed(request);
  }

  async close(): Promise<void> {
    await this.invoker.close();
    await this.bulk?.close();
  }

  private prepareCall(texts: readonly string[], inputType: InputType): AwsEmbeddingCall<InvokeModelCommand> {
    const { sent, warnings } = this.cutLongTexts(texts);
    const command = new InvokeModelCommand({
      modelId: this.modelId,
      contentType: "application/json",
      accept: "application/json",
      body: encodeJsonBody(this.configured.requestBody(sent, inputType)),
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
    return {
      command,
      sentTexts: sent,
      warnings,
      parseResponse: (json) => {
        const parsed = this.configured.parseResponse(json, sent);
        // The header counts every family's tokens; Titan's body count is the fallback.
        return { ...parsed, tokens: headerTokenCount(responseHeaders) ?? parsed.tokens };
      },
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
}
