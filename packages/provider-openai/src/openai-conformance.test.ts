import type { ProviderSettings } from "@embedeval/provider-contract";
import {
  commonFaultExpectations,
  describeProviderConformance,
  type FaultExpectation,
  type FaultQueue,
  faultErrorCase,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll } from "vitest";
import { createOpenAIProvider } from "./openai-plugin.js";
import { type OpenAIServer, startOpenAIServer } from "./testing/index.js";

// The testkit's contract checks for OpenAI, Azure OpenAI (key and Entra token) and a compatible server,
// each through the local server with every fault it can inject.
// Fake credentials that must never appear in an error, message or inspected object.
const apiKey = "sk-proj-fakeKeyDoNotLeak0123456789abcdefWXYZ";
const azureApiKey = "azureFakeKeyDoNotLeak0123456789";
const entraToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.fakeSignatureDoNotLeak";
const gatewayToken = "gateway-token-do-not-leak-42";
const compatibleModel = "BAAI/bge-small-en-v1.5";

let server: OpenAIServer;
let localServer: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer({
    apiKey,
    azureApiKey,
    azureEntraToken: entraToken,
    deployments: {
      "emb-small": "text-embedding-3-small",
      "text-embedding-3-large": "text-embedding-3-large",
    },
  });
  localServer = await startOpenAIServer({
    models: { [compatibleModel]: { dimensions: 384, acceptsDimensions: false, normalize: false } },
  });
});
afterAll(async () => {
  await server.close();
  await localServer.close();
});

function openAISettings(model: string, options: Record<string, unknown> = {}): ProviderSettings {
  return {
    model,
    options: { baseURL: server.baseURL, apiKeyVariable: "TEST_OPENAI_KEY", ...options },
    baseDirectory: "/tmp",
    environment: { TEST_OPENAI_KEY: apiKey },
  };
}

function azureSettings(
  model: string,
  options: Record<string, unknown> = {},
  environment: Record<string, string> = { AZURE_OPENAI_API_KEY: azureApiKey },
): ProviderSettings {
  return {
    model,
    options: { api: "azure", endpoint: server.url, ...options },
    baseDirectory: "/tmp",
    environment,
  };
}

function localSettings(
  options: Record<string, unknown>,
  environment: Record<string, string>,
): ProviderSettings {
  return {
    model: compatibleModel,
    options: { baseURL: localServer.baseURL, ...options },
    baseDirectory: "/tmp",
    environment,
  };
}

// The faults of the local server and what each must become, per route's error names.
function faultExpectations(route: "openai" | "azure", withDimension: boolean): FaultExpectation[] {
  const azure = route === "azure";
  return [
    {
      fault: { kind: "throttle" },
      expected: {
        retryable: true,
        throttled: true,
        status: 429,
        providerCode: azure ? "429" : "rate_limit_exceeded",
      },
    },
    {
      fault: { kind: "model-not-ready" },
      expected: { retryable: true, throttled: false, status: 503, providerCode: "model_not_ready" },
    },
    {
      fault: { kind: "internal-server" },
      expected: { retryable: true, throttled: false, status: 500, providerCode: "server_error" },
    },
    { fault: { kind: "service-unavailable" }, expected: { retryable: true, throttled: false, status: 503 } },
    {
      fault: { kind: "model-timeout" },
      expected: { retryable: true, throttled: false, status: 504, providerCode: "HTTP 504" },
    },
    {
      fault: { kind: "validation" },
      expected: { retryable: false, throttled: false, status: 400, providerCode: "invalid_request_error" },
    },
    {
      fault: { kind: "access-denied" },
      expected: {
        retryable: false,
        throttled: false,
        status: 403,
        providerCode: azure ? "PermissionDenied" : "model_not_allowed",
      },
    },
    {
      fault: { kind: "resource-not-found" },
      expected: {
        retryable: false,
        throttled: false,
        status: 404,
        providerCode: azure ? "DeploymentNotFound" : "model_not_found",
      },
    },
    {
      fault: { kind: "service-quota-exceeded" },
      expected: { retryable: false, throttled: false, status: 429, providerCode: "insufficient_quota" },
    },
    {
      fault: { kind: "model-error" },
      expected: { retryable: false, throttled: false, status: 422, providerCode: "Validation" },
    },
    ...commonFaultExpectations.filter(
      (expectation) => withDimension || expectation.fault.kind !== "wrong-dimension",
    ),
  ];
}

// The servers are started in beforeAll; the cases reach them when they run.
const liveServer: FaultQueue = { queueFaults: (...faults) => server.queueFaults(...faults) };
const liveLocalServer: FaultQueue = { queueFaults: (...faults) => localServer.queueFaults(...faults) };
const errorCases = (queue: FaultQueue, route: "openai" | "azure", withDimension: boolean) =>
  faultErrorCase === undefined
    ? []
    : faultExpectations(route, withDimension).map(({ fault, expected }) =>
        faultErrorCase(queue, fault, expected),
      );
const secrets = [apiKey, azureApiKey, entraToken, gatewayToken];

for (const [name, settings, route] of [
  [
    "openai text-embedding-3-small 256 base64",
    () => openAISettings("text-embedding-3-small", { dimensions: 256 }),
    "openai",
  ],
  [
    "openai text-embedding-3-large float",
    () => openAISettings("text-embedding-3-large", { encodingFormat: "float" }),
    "openai",
  ],
  ["openai text-embedding-ada-002", () => openAISettings("text-embedding-ada-002"), "openai"],
  [
    "azure api-key",
    () => azureSettings("text-embedding-3-small", { deployment: "emb-small", dimensions: 512 }),
    "azure",
  ],
  [
    "azure entra token",
    () => azureSettings("text-embedding-3-large", {}, { AZURE_OPENAI_AD_TOKEN: entraToken }),
    "azure",
  ],
] as const) {
  describeProviderConformance({
    name,
    createProvider: () => createOpenAIProvider(settings()),
    errorCases: errorCases(liveServer, route, true),
    secrets,
    arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  });
}

describeProviderConformance({
  name: `openai-compatible ${compatibleModel} with prefixes and a gateway header`,
  createProvider: () =>
    createOpenAIProvider(
      localSettings(
        {
          queryPrefix: "query: ",
          documentPrefix: "passage: ",
          headerVariables: { "x-gateway-token": "GATEWAY_TOKEN" },
        },
        { GATEWAY_TOKEN: gatewayToken },
      ),
    ),
  // Without declared dimensions a uniformly short answer cannot be told from the model's own size;
  // the runtime compares calls with each other for that.
  errorCases: errorCases(liveLocalServer, "openai", false),
  secrets,
  arrangeSlowCall: () => localServer.queueFaults({ kind: "delay", milliseconds: 2_000 }),
});
