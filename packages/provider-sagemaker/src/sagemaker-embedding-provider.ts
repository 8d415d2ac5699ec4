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
  CancelledError,
  ConfigError,
  type EmbeddingProvider,
  EmbedEvalError,
  type EmbedRequest,
  type EmbedResponse,
  type ProviderCapabilities,
  ProviderError,
  type ProviderSettings,
} from "@embedeval/core";
import {
  type ConfiguredFormat,
  type ContainerFormat,
  type ContainerFormatName,
  containerFormats,
} from "./container-format.js";
import { readChoice, readPositiveInteger, readString, rejectUnknownOptions } from "./read-option.js";
import { redactSecrets } from "./redact-secrets.js";
import { checkDimensions, UnexpectedResponseError } from "./response-vectors.js";
import { classifySagemakerError } from "./sagemaker-error.js";

/** Options every container format takes. */
export const endpointOptionNames = [
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

function createClient(settings: ProviderSettings): { client: SageMakerRuntimeClient; secrets: string[] } {
  const { options, environment } = settings;
  const region = readString(options, "region") ?? environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigError("No AWS region for the SageMaker endpoint.", {
      key: "options.region",
      hint: "Set `options.region` (the endpoint's region) in the config, or AWS_REGION in the environment.",
    });
  }
  const profile = readString(options, "profile") ?? environment.AWS_PROFILE;
  const endpoint =
    readString(options, "endpoint") ??
    environment.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ??
    environment.AWS_ENDPOINT_URL;
  const requestTimeoutMs = readPositiveInteger(options, "requestTimeoutMs");
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  const sessionToken = environment.AWS_SESSION_TOKEN;
  // As in the SDK's own chain: a named profile (config, or AWS_PROFILE) wins over keys in the
  // environment; keys are used when no profile is named; otherwise the SDK's default chain applies
  // (SSO, web identity, container and instance roles).
  const useEnvironmentKeys = Boolean(accessKeyId && secretAccessKey && !profile);
  const client = new SageMakerRuntimeClient({
    region,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
    ...(profile ? { profile } : {}),
    ...(useEnvironmentKeys
      ? {
          credentials: {
            accessKeyId: accessKeyId as string,
            secretAccessKey: secretAccessKey as string,
            ...(sessionToken ? { sessionToken } : {}),
          },
        }
      : {}),
    ...(requestTimeoutMs
      ? { requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } }
      : {}),
  });
  const secrets = [secretAccessKey, sessionToken].filter(
    (value): value is string => typeof value === "string",
  );
  return { client, secrets };
}

function abortReason(signal: AbortSignal): unknown {
  // The runtime aborts with its own reason (a TimeoutError for a per-call timeout, a cancellation
  // for Ctrl-C); handing it back lets the runtime tell the two apart.
  return signal.reason ?? new CancelledError("The SageMaker call was cancelled.");
}

export class SagemakerEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "sagemaker";
  readonly modelId: string;
  readonly endpointName: string;
  readonly format: ContainerFormat;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly configured: ConfiguredFormat;
  private readonly client: SageMakerRuntimeClient;
  private readonly ownsClient: boolean;
  private readonly secrets: readonly string[];
  private readonly customAttributes: string | undefined;
  private readonly targetVariant: string | undefined;
  private readonly inferenceComponentName: string | undefined;

  constructor(settings: ProviderSettings, overrides: SagemakerProviderOverrides = {}) {
    const { options } = settings;
    this.modelId = settings.model;
    this.endpointName = readString(options, "endpointName") ?? settings.model;
    const formatName: ContainerFormatName =
      readChoice(
        options,
        "format",
        ["tei", "jumpstart", "hf-inference-toolkit", "custom"] as const,
        "a SageMaker endpoint",
      ) ?? "tei";
    this.format = containerFormats[formatName];
    rejectUnknownOptions(
      options,
      [...endpointOptionNames, ...this.format.optionNames],
      `SageMaker format "${formatName}"`,
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
    const region =
      readString(options, "region") ??
      settings.environment.AWS_REGION ??
      settings.environment.AWS_DEFAULT_REGION;
    // The endpoint (name and region) stands for the model: vectors change when either does.
    this.vectorOptions = Object.freeze({
      endpointName: this.endpointName,
      region: region ?? null,
      format: formatName,
      ...(this.targetVariant === undefined ? {} : { targetVariant: this.targetVariant }),
      ...(this.inferenceComponentName === undefined
        ? {}
        : { inferenceComponentName: this.inferenceComponentName }),
      ...this.configured.vectorOptions,
    });
    if (overrides.client) {
      this.client = overrides.client;
      this.ownsClient = false;
      this.secrets = [];
    } else {
      const setup = createClient(settings);
      this.client = setup.client;
      this.ownsClient = true;
      this.secrets = setup.secrets;
    }
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
    if (signal?.aborted) throw abortReason(signal);
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
      output = await this.client.send(command, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      throw classifySagemakerError(error, { target, secrets: this.secrets });
    }
    const requestId = output.$metadata.requestId;
    const text = output.Body?.transformToString() ?? "";
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Retryable: a 200 whose body is not JSON is a transport or container hiccup, not a property
      // of the input; the runtime's retry cap bounds the cost of being wrong.
      throw new ProviderError(
        `sagemaker ${target}: the response body is not valid JSON (${text.length} bytes, starting ${JSON.stringify(redactSecrets(text.slice(0, 60), this.secrets))}).`,
        {
          provider: this.provider,
          retryable: true,
          providerCode: "MalformedResponse",
          status: 200,
          requestId,
        },
      );
    }
    let parsed: ReturnType<ConfiguredFormat["parseResponse"]>;
    try {
      parsed = this.configured.parseResponse(json, texts);
      checkDimensions(parsed.embeddings, this.capabilities.dimensions);
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error;
      // Not retryable: a well-formed answer of the wrong shape repeats on every call.
      throw new ProviderError(
        `sagemaker ${target}: unexpected response for format "${this.format.name}": ${error.message}`,
        {
          provider: this.provider,
          retryable: false,
          providerCode: error.reason === "dimension" ? "WrongDimension" : "UnexpectedResponse",
          status: 200,
          requestId,
          hint:
            error.reason === "dimension"
              ? "The endpoint returned vectors of another size than `options.dimensions`; check the endpoint's model."
              : "Check `options.format` (tei, jumpstart, hf-inference-toolkit, custom) against the endpoint's container.",
        },
      );
    }
    // SageMaker containers do not report tokens: about four characters a token, labelled as an estimate.
    const characters = texts.reduce((sum, item) => sum + item.length, 0);
    return {
      embeddings: parsed.embeddings,
      usage: { tokens: Math.ceil(characters / 4), source: "estimated" },
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(parsed.warnings ? { warnings: parsed.warnings } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}
