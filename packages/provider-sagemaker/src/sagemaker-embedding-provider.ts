/**
 * One SageMaker endpoint as an embedding model: its container format, and the InvokeEndpoint command
 * of one call. The call itself (client, abort signal, errors, the JSON answer, usage) is the AWS call
 * path every AWS plugin shares, AwsEmbeddingInvoker. No batching beyond one call, no retries (the
 * client runs with maxAttempts 1 so the runtime is the only retry layer), no cache, no timing.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 */
import {
  InvokeEndpointCommand,
  type InvokeEndpointCommandInput,
  type InvokeEndpointCommandOutput,
  SageMakerRuntimeClient,
} from "@aws-sdk/client-sagemaker-runtime";
import {
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  type InputType,
  type ProviderCapabilities,
  type ProviderSettings,
  readPositiveInteger,
  readString,
  rejectUnknownOptions,
} from "@embedeval/provider-contract";
import {
  type AwsClientSource,
  type AwsEmbeddingCall,
  AwsEmbeddingInvoker,
  awsRegion,
  encodeJsonBody,
  readAwsClientSettings,
} from "@embedeval/provider-contract/aws";
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

type SagemakerClientSource = AwsClientSource<InvokeEndpointCommand, InvokeEndpointCommandOutput>;

/**
 * The client this provider makes on its first call. Its settings are read now, so that a missing
 * region is a config error when the provider is created, not on its first call.
 */
function sagemakerClientSource(settings: ProviderSettings): SagemakerClientSource {
  const { clientConfig, requestTimeoutMs, secrets } = readAwsClientSettings(settings, {
    endpointVariable: "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    subject: "the SageMaker endpoint",
    regionHint:
      "Set `options.region` (the endpoint's region) in the config, or AWS_REGION in the environment.",
  });
  return {
    secrets,
    createClient: () =>
      new SageMakerRuntimeClient({
        ...clientConfig,
        ...(requestTimeoutMs
          ? { requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } }
          : {}),
      }),
  };
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
  /** Every InvokeEndpoint field but the body: the same for each call. */
  private readonly endpointFields: Omit<InvokeEndpointCommandInput, "Body">;
  private readonly invoker: AwsEmbeddingInvoker<InvokeEndpointCommand, InvokeEndpointCommandOutput>;

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
    const customAttributes = readString(options, "customAttributes");
    const targetVariant = readString(options, "targetVariant");
    const inferenceComponentName = readString(options, "inferenceComponentName");
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
      ...(targetVariant === undefined ? {} : { targetVariant }),
      ...(inferenceComponentName === undefined ? {} : { inferenceComponentName }),
      ...this.configured.vectorOptions,
    });
    this.endpointFields = {
      EndpointName: this.endpointName,
      ContentType: "application/json",
      Accept: "application/json",
      ...(customAttributes === undefined ? {} : { CustomAttributes: customAttributes }),
      ...(targetVariant === undefined ? {} : { TargetVariant: targetVariant }),
      ...(inferenceComponentName === undefined ? {} : { InferenceComponentName: inferenceComponentName }),
    };
    this.invoker = new AwsEmbeddingInvoker({
      provider: this.provider,
      serviceName: "SageMaker",
      target: `endpoint ${this.endpointName}`,
      subject: `SageMaker endpoint ${this.endpointName}`,
      batchingHint:
        "Batch by capabilities.maxInputsPerCall before calling embed, or raise `options.batchSize`.",
      capabilities: this.capabilities,
      clientSource: overrides.client ? { client: overrides.client } : sagemakerClientSource(settings),
      classifyError: classifySagemakerError,
      responseText: (output) => output.Body?.transformToString() ?? "",
      responseHints: {
        about: ` for format "${this.format.id}"`,
        dimension:
          "The endpoint returned vectors of another size than `options.dimensions`; check the endpoint's model.",
        shape:
          "Check `options.format` (tei, jumpstart, hf-inference-toolkit, custom) against the endpoint's container.",
      },
      prepareCall: (texts, inputType) => this.prepareCall(texts, inputType),
    });
  }

  embed(request: EmbedRequest): Promise<EmbedResponse> {
    return this.invoker.embed(request);
  }

  close(): Promise<void> {
    return this.invoker.close();
  }

  /** SageMaker containers do not report tokens: the call path estimates them, labelled as an estimate. */
  private prepareCall(
    texts: readonly string[],
    inputType: InputType,
  ): AwsEmbeddingCall<InvokeEndpointCommand> {
    return {
      command: new InvokeEndpointCommand({
        ...this.endpointFields,
        Body: encodeJsonBody(this.configured.requestBody(texts, inputType)),
      }),
      parseResponse: (json) => this.configured.parseResponse(json, texts),
    };
  }
}
