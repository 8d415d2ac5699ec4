import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { EmbedEvalError, type ProviderSettings } from "@embedeval/provider-contract";
import {
  awsFaultExpectations,
  awsRequestSecrets,
  checkAwsServiceError,
  describeProviderConformance,
  type FaultQueue,
  faultErrorCase,
  type RecordingServer,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import defaultExport, { createSagemakerProvider, maxRequestBytes, plugin } from "./index.js";
import {
  type Fault,
  fakeEmbedding,
  fakeTokens,
  type SagemakerServer,
  startSagemakerServer,
} from "./testing/index.js";

const fakeSecretKey = "fakeSecretKeyDoNotLeak/0a1b2c3d4e5f+QWERTY";

let server: SagemakerServer;
beforeAll(async () => {
  server = await startSagemakerServer({
    endpoints: {
      "bge-tei": { format: "tei", dimensions: 384 },
      "gte-jumpstart": { format: "jumpstart", dimensions: 256 },
      "st-toolkit": { format: "hf-inference-toolkit", dimensions: 64 },
      "bert-toolkit": { format: "hf-inference-toolkit", dimensions: 32, output: "token" },
      "bert-toolkit-padded": { format: "hf-inference-toolkit", dimensions: 32, output: "token-padded" },
      "openai-like": { format: "custom", dimensions: 128 },
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.calls.length = 0;
});

function settings(
  endpointName: string,
  options: Record<string, unknown> = {},
  url = server.url,
): ProviderSettings {
  return {
    model: endpointName,
    options: { region: "eu-west-1", endpoint: url, ...options },
    baseDirectory: "/tmp",
    environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: fakeSecretKey },
  };
}

function float32(values: readonly number[]): number[] {
  return Array.from(Float32Array.from(values));
}

const texts = ["Vitamin D and bone density.", "Sleep deprivation impairs memory.", "Short."];

describe("container formats", () => {
  it("tei: inputs, normalize, truncate, direction and a prompt name per input type", async () => {
    const provider = createSagemakerProvider(
      settings("bge-tei", { format: "tei", dimensions: 384, queryPromptName: "query" }),
    );
    const documents = await provider.embed({ texts, inputType: "document" });
    await provider.embed({ texts: ["bones"], inputType: "query" });
    expect(server.calls[0]?.path).toBe("/endpoints/bge-tei/invocations");
    expect(server.calls[0]?.headers["content-type"]).toBe("application/json");
    expect(server.calls[0]?.headers.accept).toBe("application/json");
    expect(server.calls.map((call) => call.body)).toEqual([
      { inputs: texts, normalize: true, truncate: true, truncation_direction: "Right" },
      {
        inputs: ["bones"],
        normalize: true,
        truncate: true,
        truncation_direction: "Right",
        prompt_name: "query",
      },
    ]);
    expect(documents.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => float32(fakeEmbedding(text, 384, { normalize: true }))),
    );
    expect(documents.usage).toEqual({ tokens: Math.ceil(texts.join("").length / 4), source: "estimated" });
    expect(documents.requestIds).toHaveLength(1);
    expect(provider.capabilities).toEqual({
      maxInputsPerCall: 32,
      maxRequestBytes,
      dimensions: 384,
      normalized: true,
      supportsParallelCalls: true,
    });
    expect(provider.vectorOptions).toEqual({
      endpointName: "bge-tei",
      region: "eu-west-1",
      format: "tei",
      normalize: true,
      truncate: true,
      truncationDirection: "Right",
      queryPromptName: "query",
      documentPromptName: null,
    });
    await provider.close();
  });

  it("jumpstart: text_inputs -> embedding, with batchSize and endpointName options", async () => {
    const provider = createSagemakerProvider(
      settings("ignored-model-name", { format: "jumpstart", endpointName: "gte-jumpstart", batchSize: 8 }),
    );
    const result = await provider.embed({ texts, inputType: "document" });
    expect(server.calls[0]?.path).toBe("/endpoints/gte-jumpstart/invocations");
    expect(server.calls[0]?.body).toEqual({ text_inputs: texts });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => float32(fakeEmbedding(text, 256, { normalize: true }))),
    );
    expect(provider.capabilities.maxInputsPerCall).toBe(8);
    await provider.close();
  });

  it("hf-inference-toolkit: sentence-level output is used as is, parameters passed through", async () => {
    const provider = createSagemakerProvider(
      settings("st-toolkit", { format: "hf-inference-toolkit", parameters: { truncation: true } }),
    );
    const result = await provider.embed({ texts, inputType: "query" });
    expect(server.calls[0]?.body).toEqual({ inputs: texts, parameters: { truncation: true } });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => float32(fakeEmbedding(text, 64, { normalize: false }))),
    );
    expect(result.warnings).toBeUndefined();
    await provider.close();
  });

  it("hf-inference-toolkit: unpadded token-level output is mean-pooled exactly", async () => {
    const provider = createSagemakerProvider(settings("bert-toolkit", { format: "hf-inference-toolkit" }));
    const result = await provider.embed({ texts, inputType: "document" });
    const expected = texts.map((text) => {
      const tokens = ["[CLS]", ...fakeTokens(text)].map((token) =>
        fakeEmbedding(token, 32, { normalize: false }),
      );
      return (
        tokens[0]?.map(
          (_, index) => tokens.reduce((sum, vector) => sum + (vector[index] ?? 0), 0) / tokens.length,
        ) ?? []
      );
    });
    result.embeddings.forEach((vector, row) => {
      for (const [index, value] of Array.from(vector).entries()) {
        expect(value).toBeCloseTo(expected[row]?.[index] ?? Number.NaN, 6);
      }
    });
    expect(result.warnings).toBeUndefined();
    await provider.close();
  });

  it("hf-inference-toolkit: a padded token tensor is pooled with a warning about padding", async () => {
    const provider = createSagemakerProvider(
      settings("bert-toolkit-padded", { format: "hf-inference-toolkit" }),
    );
    const result = await provider.embed({ texts, inputType: "document" });
    expect(result.embeddings.map((vector) => vector.length)).toEqual([32, 32, 32]);
    expect(result.warnings?.[0]).toMatch(/padding tokens may be included/);
    await provider.close();
  });

  it("custom: a request template with input types, and a response path", async () => {
    const provider = createSagemakerProvider(
      settings("openai-like", {
        format: "custom",
        request: { input: "{{texts}}", kind: "{{inputType}}", model: "e5" },
        responsePath: "data[*].embedding",
      }),
    );
    const result = await provider.embed({ texts: texts.slice(0, 2), inputType: "query" });
    expect(server.calls[0]?.body).toEqual({ input: texts.slice(0, 2), kind: "query", model: "e5" });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.slice(0, 2).map((text) => float32(fakeEmbedding(`query: ${text}`, 128, { normalize: true }))),
    );
    await provider.close();
  });

  it("custom: a bad template or path is a config error naming the key", () => {
    expect(() =>
      createSagemakerProvider(settings("x", { format: "custom", request: { input: "texts" } })),
    ).toThrowError(expect.objectContaining({ code: "config", key: "options.request" }));
    expect(() =>
      createSagemakerProvider(
        settings("x", { format: "custom", request: { input: "{{texts}}" }, responsePath: "data[x]" }),
      ),
    ).toThrowError(expect.objectContaining({ code: "config", key: "options.responsePath" }));
  });

  it("an option that belongs to another format is rejected", () => {
    expect(() =>
      createSagemakerProvider(settings("x", { format: "jumpstart", normalize: true })),
    ).toThrowError(expect.objectContaining({ code: "config", key: "options.normalize" }));
    expect(() => createSagemakerProvider(settings("x", { format: "teii" }))).toThrowError(
      expect.objectContaining({ code: "config", hint: 'Did you mean "tei"?' }),
    );
  });

  it("sends customAttributes, targetVariant and inferenceComponentName as InvokeEndpoint's headers; the last two are part of the model's identity", async () => {
    const routed = createSagemakerProvider(
      settings("bge-tei", {
        customAttributes: "trace=embedeval,run=7",
        targetVariant: "blue",
        inferenceComponentName: "bge-small-ic",
      }),
    );
    await routed.embed({ texts: ["bones"], inputType: "document" });
    // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
    const headers = server.calls[0]?.headers ?? {};
    expect(headers["x-amzn-sagemaker-custom-attributes"]).toBe("trace=embedeval,run=7");
    expect(headers["x-amzn-sagemaker-target-variant"]).toBe("blue");
    expect(headers["x-amzn-sagemaker-inference-component"]).toBe("bge-small-ic");
    // Another variant or component may serve another model: its vectors must not share a cache entry.
    // Custom attributes only annotate the call.
    expect(routed.vectorOptions).toMatchObject({
      targetVariant: "blue",
      inferenceComponentName: "bge-small-ic",
    });
    expect(routed.vectorOptions).not.toHaveProperty("customAttributes");
    const plain = createSagemakerProvider(settings("bge-tei"));
    await plain.embed({ texts: ["bones"], inputType: "document" });
    expect(server.calls[1]?.headers).not.toHaveProperty("x-amzn-sagemaker-target-variant");
    expect(server.calls[1]?.headers).not.toHaveProperty("x-amzn-sagemaker-custom-attributes");
    expect(plain.vectorOptions).not.toHaveProperty("targetVariant");
    await routed.close();
    await plain.close();
  });

  it("refuses a batch larger than batchSize without calling the endpoint", async () => {
    const provider = createSagemakerProvider(settings("bge-tei", { batchSize: 2 }));
    const error = await provider.embed({ texts, inputType: "document" }).catch((caught: unknown) => caught);
    expect(EmbedEvalError.is(error) && error.code).toBe("internal");
    expect(server.calls).toHaveLength(0);
    await provider.close();
  });
});

const serviceErrors: Array<{
  fault: Fault;
  retryable: boolean;
  throttled: boolean;
  status?: number;
  providerCode: string;
}> = [
  {
    fault: { kind: "model-error", originalStatusCode: 500 },
    retryable: true,
    throttled: false,
    status: 424,
    providerCode: "ModelError:500",
  },
  {
    fault: { kind: "model-error", originalStatusCode: 503 },
    retryable: true,
    throttled: false,
    status: 424,
    providerCode: "ModelError:503",
  },
  {
    fault: { kind: "model-error", originalStatusCode: 429 },
    retryable: true,
    throttled: true,
    status: 424,
    providerCode: "ModelError:429",
  },
  {
    fault: { kind: "model-error", originalStatusCode: 400 },
    retryable: false,
    throttled: false,
    status: 424,
    providerCode: "ModelError:400",
  },
  {
    fault: { kind: "model-error", originalStatusCode: 413 },
    retryable: false,
    throttled: false,
    status: 424,
    providerCode: "ModelError:413",
  },
  {
    fault: { kind: "model-not-ready" },
    retryable: true,
    throttled: false,
    status: 429,
    providerCode: "ModelNotReadyException",
  },
  {
    fault: { kind: "service-unavailable" },
    retryable: true,
    throttled: false,
    status: 503,
    providerCode: "ServiceUnavailable",
  },
  {
    fault: { kind: "internal-server" },
    retryable: true,
    throttled: false,
    status: 500,
    providerCode: "InternalFailure",
  },
  {
    fault: { kind: "throttle" },
    retryable: true,
    throttled: true,
    status: 400,
    providerCode: "ThrottlingException",
  },
  {
    fault: { kind: "validation" },
    retryable: false,
    throttled: false,
    status: 400,
    providerCode: "ValidationError",
  },
  {
    fault: { kind: "access-denied" },
    retryable: false,
    throttled: false,
    status: 403,
    providerCode: "AccessDeniedException",
  },
];

describe("errors", () => {
  it("a ModelError carries the container's original message", async () => {
    const provider = createSagemakerProvider(settings("bge-tei"));
    server.queueFaults({
      kind: "model-error",
      originalStatusCode: 413,
      originalMessage: "Input too long: 9000 tokens",
    });
    const error = await provider
      .embed({ texts: ["x"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toContain("Input too long: 9000 tokens");
    await provider.close();
  });

  it("an unknown endpoint is a non-retryable ValidationError", async () => {
    const provider = createSagemakerProvider(settings("no-such-endpoint"));
    const error = await provider
      .embed({ texts: ["x"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: false, providerCode: "ValidationError", status: 400 });
    expect(String((error as Error).message)).toContain("no-such-endpoint");
    await provider.close();
  });

  it("without configured dimensions, any consistent size is accepted (the check is against the config)", async () => {
    const provider = createSagemakerProvider(settings("bge-tei"));
    server.queueFaults({ kind: "wrong-dimension" });
    const result = await provider.embed({ texts: ["a", "b"], inputType: "document" });
    expect(result.embeddings.map((vector) => vector.length)).toEqual([383, 383]);
    await provider.close();
  });

  it("a response slower than requestTimeoutMs is a retryable timeout", async () => {
    const provider = createSagemakerProvider(settings("bge-tei", { requestTimeoutMs: 100 }));
    server.queueFaults({ kind: "delay", milliseconds: 2_000 });
    const error = await provider
      .embed({ texts: ["slow"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: true });
    await provider.close();
  });
});

describe("plugin", () => {
  it("is the default export and creates providers from settings", async () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin).toMatchObject({ specificationVersion: "v1", name: "sagemaker" });
    const provider = await plugin.create(settings("bge-tei"));
    expect(provider).toMatchObject({ provider: "sagemaker", modelId: "bge-tei" });
  });

  it("answers an empty call without calling the endpoint, with zero tokens counted", async () => {
    const provider = createSagemakerProvider(settings("bge-tei"));
    const result = await provider.embed({ texts: [], inputType: "document" });
    expect(result).toEqual({ embeddings: [], usage: { tokens: 0, source: "provider" } });
    expect(server.calls).toHaveLength(0);
    await provider.close();
  });

  it("calls through a client it is given, and leaves destroying it to the caller", async () => {
    const client = new SageMakerRuntimeClient({
      region: "eu-west-1",
      endpoint: server.url,
      credentials: { accessKeyId: "given", secretAccessKey: fakeSecretKey },
      maxAttempts: 1,
    });
    let destroyed = 0;
    const destroy = client.destroy.bind(client);
    client.destroy = () => {
      destroyed += 1;
      destroy();
    };
    // The settings name no region and no endpoint: with a client given, they are not read.
    const provider = createSagemakerProvider(
      { model: "bge-tei", options: {}, baseDirectory: "/tmp", environment: {} },
      { client },
    );
    const result = await provider.embed({ texts: ["through the given client"], inputType: "document" });
    expect(result.embeddings).toHaveLength(1);
    expect(server.calls[0]?.headers.authorization).toMatch(/Credential=given\//);
    await provider.close();
    expect(destroyed).toBe(0);
    client.destroy();
  });
});

// The server is started in beforeAll; the cases reach it when they run.
const liveServer: FaultQueue & RecordingServer = {
  get calls() {
    return server.calls;
  },
  queueFaults: (...faults) => server.queueFaults(...faults),
};

for (const [endpointName, options] of [
  ["bge-tei", { dimensions: 384 }],
  ["gte-jumpstart", { format: "jumpstart" }],
  ["bert-toolkit", { format: "hf-inference-toolkit" }],
  [
    "openai-like",
    {
      format: "custom",
      dimensions: 128,
      request: { input: "{{texts}}", kind: "{{inputType}}" },
      responsePath: "data[*].embedding",
    },
  ],
] as const) {
  // A vector one short is only detectable against configured dimensions.
  const cases = [
    ...serviceErrors.map(({ fault, ...expected }) => ({ fault, expected })),
    ...awsFaultExpectations,
  ].filter(({ fault }) => fault.kind !== "wrong-dimension" || "dimensions" in options);
  describeProviderConformance({
    name: `sagemaker ${endpointName}`,
    createProvider: () => createSagemakerProvider(settings(endpointName, options)),
    errorCases: cases.map(({ fault, expected }) =>
      faultErrorCase(liveServer, fault, expected, checkAwsServiceError(liveServer)),
    ),
    secrets: awsRequestSecrets(liveServer, [fakeSecretKey]),
    arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  });
}
