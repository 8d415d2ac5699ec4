import { inspect } from "node:util";
import { EmbedEvalError, type ProviderSettings } from "@embedeval/provider-contract";
import {
  awsFaultExpectations,
  awsRequestSecrets,
  checkAwsServiceError,
  describeProviderConformance,
  type FaultQueue,
  faultErrorCase,
  lastRequestSignature,
  type RecordingServer,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBedrockProvider } from "./index.js";
import { type BedrockServer, type Fault, startBedrockServer } from "./testing/index.js";

// Bedrock's errors through the real SDK client against the local server: each error name's
// classification, timeouts, refused connections, rate limits, and the testkit's conformance suite
// (with its error cases) for every family.

// A fake secret that must never show up in any error, message or inspected object.
const fakeSecretKey = "fakeSecretKeyDoNotLeak/9f8e7d6c5b4a+ZYXWVU";

let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.calls.length = 0;
});

function settings(model: string, options: Record<string, unknown> = {}, url = server.url): ProviderSettings {
  return {
    model,
    options: { region: "us-east-1", endpoint: url, ...options },
    baseDirectory: "/tmp",
    environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: fakeSecretKey },
  };
}

interface Expected {
  fault: Fault;
  retryable: boolean;
  throttled: boolean;
  status?: number;
  providerCode: string;
}
const serviceErrors: Expected[] = [
  {
    fault: { kind: "throttle" },
    retryable: true,
    throttled: true,
    status: 429,
    providerCode: "ThrottlingException",
  },
  {
    fault: { kind: "model-not-ready" },
    retryable: true,
    throttled: false,
    status: 429,
    providerCode: "ModelNotReadyException",
  },
  {
    fault: { kind: "internal-server" },
    retryable: true,
    throttled: false,
    status: 500,
    providerCode: "InternalServerException",
  },
  {
    fault: { kind: "service-unavailable" },
    retryable: true,
    throttled: false,
    status: 503,
    providerCode: "ServiceUnavailableException",
  },
  {
    fault: { kind: "model-timeout" },
    retryable: true,
    throttled: false,
    status: 408,
    providerCode: "ModelTimeoutException",
  },
  {
    fault: { kind: "validation" },
    retryable: false,
    throttled: false,
    status: 400,
    providerCode: "ValidationException",
  },
  {
    fault: { kind: "access-denied" },
    retryable: false,
    throttled: false,
    status: 403,
    providerCode: "AccessDeniedException",
  },
  {
    fault: { kind: "resource-not-found" },
    retryable: false,
    throttled: false,
    status: 404,
    providerCode: "ResourceNotFoundException",
  },
  {
    fault: { kind: "service-quota-exceeded" },
    retryable: false,
    throttled: false,
    status: 400,
    providerCode: "ServiceQuotaExceededException",
  },
  {
    fault: { kind: "model-error" },
    retryable: false,
    throttled: false,
    status: 424,
    providerCode: "ModelErrorException",
  },
];

function assertNoSecrets(error: unknown): void {
  const { authorization, signature } = lastRequestSignature(server);
  expect(signature).toMatch(/^[0-9a-f]{64}$/);
  const everything = `${String(error)} ${EmbedEvalError.is(error) ? error.hint : ""} ${inspect(error, { depth: 8, showHidden: true })}`;
  expect(everything).not.toContain(fakeSecretKey);
  expect(everything).not.toContain(signature);
  expect(everything).not.toContain(authorization);
}

describe("errors from the service", () => {
  it("a response slower than requestTimeoutMs is a retryable timeout", async () => {
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v1", { requestTimeoutMs: 100 }));
    server.queueFaults({ kind: "delay", milliseconds: 2_000 });
    const error = await provider
      .embed({ texts: ["slow"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: true, throttled: false });
    assertNoSecrets(error);
    await provider.close();
  });

  it("a refused connection is retryable", async () => {
    const closed = await startBedrockServer();
    const url = closed.url;
    await closed.close();
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v1", {}, url));
    const error = await provider
      .embed({ texts: ["x"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: true, providerCode: "ECONNREFUSED" });
    await provider.close();
  });

  it("the server's requests-per-minute limit surfaces as throttling", async () => {
    // 6 a minute: a bucket of one request, refilled every 10 s; the second call comes too soon.
    const limited = await startBedrockServer({ requestsPerMinute: 6 });
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v1", {}, limited.url));
    await provider.embed({ texts: ["1"], inputType: "document" });
    const error = await provider
      .embed({ texts: ["2"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: true, throttled: true, status: 429 });
    expect(limited.calls.map((call) => call.fault)).toEqual([undefined, "throttle"]);
    await provider.close();
    await limited.close();
  });
});

// The server is started in beforeAll; the cases reach it when they run.
const liveServer: FaultQueue & RecordingServer = {
  get calls() {
    return server.calls;
  },
  queueFaults: (...faults) => server.queueFaults(...faults),
};
const serviceErrorCases = [
  ...serviceErrors.map(({ fault, ...expected }) => ({ fault, expected })),
  ...awsFaultExpectations,
].map(({ fault, expected }) => faultErrorCase(liveServer, fault, expected, checkAwsServiceError(liveServer)));

for (const [model, options] of [
  ["amazon.titan-embed-text-v1", {}],
  ["amazon.titan-embed-text-v2:0", { dimensions: 256 }],
  ["cohere.embed-english-v3", {}],
  ["cohere.embed-v4:0", { dimensions: 256, embeddingType: "int8" }],
  ["us.amazon.nova-2-multimodal-embeddings-v1:0", { dimensions: 256 }],
] as const) {
  describeProviderConformance({
    name: `bedrock ${model}`,
    createProvider: () => createBedrockProvider(settings(model, options)),
    errorCases: serviceErrorCases,
    secrets: awsRequestSecrets(liveServer, [fakeSecretKey]),
    arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  });
}
