/**
 * One SageMaker endpoint as an embedding model: translates the provider contract into one
 * InvokeEndpoint call and back. No batching beyond one call, no retries (the client runs with
 * maxAttempts 1 so the runtime is the only retry layer), no cache, no timing.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 */
import {
  InvokeEndpointCommand,
  type InvokeEndpointCommandOutput,
  SageMakerRuntimeClient,
} from "@aws-sdk/client-sagemaker-runtime";
import {
  abortReason,
  checkDimensions,
  type EmbeddingProvider,
  EmbedEvalError,
  type EmbedRequest,
  type EmbedResponse,
  estimateTokens,
  type ProviderCapabilities,
  type ProviderSettings,
  parseJsonResponse,
  parseResponseVectors,
  readPositiveInteger,
  readString,
  rejectUnknownOptions,
} from "@embedeval/provider-contract";
import { awsRegion, readAwsClientSettings } from "@embedeval/provider-contract/aws";
import type { ConfiguredContainerFormat, ContainerFormat } from "./container-format.js";
import { resolveContainerFormat } from "./container-format-registry.js";
import { classifySagemakerError } from "./sagemaker-error.js";

/** Options the provider reads whatever the container format; each format adds its own (`optionNames`). */
export const providerOptionNames = [
  "endpointName",
  "format",
  "region",
  "profile",
  "endpoint",
  "requestTimeoutMs",
  "batchSize",
  "dimensions",
  "customAttributes",
  "targetVariant",
  "inferenceComponentName",
] as const;

/**
 * InvokeEndpoint takes at most 6 MB of payload; the margin leaves room for JSON escaping the runtime
 * does not see when it sizes batches by text length.
 */
export const maxRequestBytes = 6 * 1024 * 1024 - 256 * 1024;

export const defaultBatchSize = 32;

export interface SagemakerProviderOverrides {
  /** A ready client (tests, custom middleware). The provider does not destroy a client it did not create. */
  client?: SageMakerRuntimeClient;
}

/** The SDK client, whether this provider made it (and so destroys it), and the secrets to mask. */
interface Connection {
  client: SageMakerRuntimeClient;
  ownsClient: boolean;
  secrets: readonly string[];
}

function createClient(settings: ProviderSettings): Connection {
  const { clientConfig, requestTimeoutMs, secrets } = readAwsClientSettings(settings, {
    endpointVariable: "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    subject: "the SageMaker endpoint",
    regionHint:
      "Set `options.region` (the endpoint's region) in the config, or AWS_REGION in the environment.",
  });
  const client = new SageMakerRuntimeClient({
    ...clientConfig,
    ...(requestTimeoutMs
      ? { requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } }
      : {}),
  });
  return { client, ownsClient: true, secrets };
}

export class SagemakerEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "sagemaker";
  readonly modelId: string;
  readonly endpointName: string;
  readonly format: ContainerFormat;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly configured: ConfiguredContainerFormat;
  private readonly connection: Connection;
  private readonly customAttributes: string | undefined;
  private readonly targetVariant: string | undefined;
  private readonly inferenceComponentName: string | undefined;

  constructor(settings: ProviderSettings, overrides: SagemakerProviderOverrides = {}) {
    const { options } = settings;
    this.modelId = settings.model;
    this.endpointName = readString(options, "endpointName") ?? settings.model;
    this.format = resolveContainerFormat(options);
    rejectUnknownOptions(
      options,
      [...providerOptionNames, ...this.format.optionNames],
      `SageMaker format "${this.format.id}"`,
    );
    this.configured = this.format.configure(options);
    const dimensions = readPositiveInteger(options, "dimensions");
    const batchSize = readPositiveInteger(options, "batchSize") ?? defaultBatchSize;
    this.customAttributes = readString(options, "customAttributes");
    this.targetVariant = readString(options, "targetVariant");
    this.inferenceComponentName = readString(options, "inferenceComponentName");
    this.capabilities = {
      maxInputsPerCall: this.configured.maxInputsPerCall ?? batchSize,
      maxRequestBytes,
      ...(dimensions === undefined ? {} : { dimensions }),
      normalized: this.configured.normalized,
      supportsParallelCalls: true,
    };
    const region = awsRegion(settings);
    // The endpoint (name and region) stands for the model: vectors change when either does.
    this.vectorOptions = Object.freeze({
      endpointName: this.endpointName,
      region: region ?? null,
      format: this.format.id,
      ...(this.targetVariant === undefined ? {} : { targetVariant: this.targetVariant }),
      ...(this.inferenceComponentName === undefined
        ? {}
        : { inferenceComponentName: this.inferenceComponentName }),
      ...this.configured.vectorOptions,
    });
    this.connection = overrides.client
      ? { client: overrides.client, ownsClient: false, secrets: [] }
      : createClient(settings);
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (texts.length === 0) return { embeddings: [], usage: { tokens: 0, source: "estimated" } };
    if (texts.length > this.capabilities.maxInputsPerCall) {
      throw new EmbedEvalError(
        "internal",
        `SageMaker endpoint ${this.endpointName} takes at most ${this.capabilities.maxInputsPerCall} text(s) per call; got ${texts.length}.`,
        {
          hint: "Batch by capabilities.maxInputsPerCall before calling embed, or raise `options.batchSize`.",
        },
      );
    }
    if (signal?.aborted) throw abortReason(signal, "SageMaker");
    const command = new InvokeEndpointCommand({
      EndpointName: this.endpointName,
      ContentType: "application/json",
      Accept: "application/json",
      Body: new TextEncoder().encode(JSON.stringify(this.configured.requestBody(texts, inputType))),
      ...(this.customAttributes === undefined ? {} : { CustomAttributes: this.customAttributes }),
      ...(this.targetVariant === undefined ? {} : { TargetVariant: this.targetVariant }),
      ...(this.inferenceComponentName === undefined
        ? {}
        : { InferenceComponentName: this.inferenceComponentName }),
    });
    const target = `endpoint ${this.endpointName}`;
    let output: InvokeEndpointCommandOutput;
    try {
      output = await this.connection.client.send(command, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "SageMaker");
      throw classifySagemakerError(error, { target, secrets: this.connection.secrets });
    }
    const requestId = output.$metadata.requestId;
    const text = output.Body?.transformToString() ?? "";
    const json = parseJsonResponse(text, {
      provider: this.provider,
      target,
      requestId,
      secrets: this.connection.secrets,
    });
    const parsed = parseResponseVectors(
      { provider: this.provider, target, requestId },
      {
        about: ` for format "${this.format.id}"`,
        dimension:
          "The endpoint returned vectors of another size than `options.dimensions`; check the endpoint's model.",
        shape:
          "Check `options.format` (tei, jumpstart, hf-inference-toolkit, custom) against the endpoint's container.",
      },
      () => {
        const result = this.configured.parseResponse(json, texts);
        checkDimensions(result.embeddings, this.capabilities.dimensions);
        return result;
      },
    );
    // SageMaker containers do not report tokens: about four characters a token, labelled as an estimate.
    return {
      embeddings: parsed.embeddings,
      usage: { tokens: estimateTokens(texts), source: "estimated" },
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(parsed.warnings ? { warnings: parsed.warnings } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.connection.ownsClient) this.connection.client.destroy();
  }
}
