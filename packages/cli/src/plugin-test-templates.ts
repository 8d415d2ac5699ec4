// The `new-plugin` scaffolder's templates for the plugin's tests: a local fake of its API and the conformance tests; pluginTemplateFiles (plugin-template.ts)
// fills their placeholders.

export const serverTemplate = `
/**
 * A local fake of the __provider__ API for tests, built on @embedeval/provider-testkit: the testkit gives
 * the listening, body reading, latency and fault script; this file knows only the API's route, request
 * checks and answer shapes (see src/__provider__-embedding-provider.ts). Keep it in step with your API.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  type FaultInjectingServer,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  parseJsonOrText,
  readBody,
  sendHalfThenReset,
  sendJson,
  sendText,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";

export interface Recorded__Provider__Call {
  body: unknown;
  authorization: string | undefined;
  fault: Fault["kind"] | undefined;
}

export type __Provider__Server = FaultInjectingServer<Recorded__Provider__Call>;

/** How the API reports each fault: status and error type. */
const faultAnswers: Partial<Record<Fault["kind"], { status: number; type: string }>> = {
  throttle: { status: 429, type: "rate_limited" },
  "internal-server": { status: 500, type: "server_error" },
  "service-unavailable": { status: 503, type: "overloaded" },
  validation: { status: 400, type: "invalid_request" },
};

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { error: { type, message } }, status === 429 ? { "retry-after": "1" } : {});
}

function answer(body: unknown, fault: Fault | undefined): unknown {
  const { model, input, input_type: inputType, dimensions = 256 } = (body ?? {}) as Record<string, unknown>;
  if (model !== "__provider__-embed-1") return undefined;
  if (!Array.isArray(input) || input.length === 0 || input.length > 128) return undefined;
  if (inputType !== "query" && inputType !== "document") return undefined;
  if (typeof dimensions !== "number") return undefined;
  const size = fault?.kind === "wrong-dimension" ? dimensions - 1 : dimensions;
  const texts = input as string[];
  return {
    // Queries get a prefix, as instruction-tuned models do, so the two input types differ.
    data: texts.map((text, index) => ({
      index,
      embedding: fakeEmbedding(inputType === "query" ? "query: " + text : text, size, { normalize: true }),
    })),
    usage: { total_tokens: texts.reduce((sum, text) => sum + fakeTokenCount(text), 0) },
  };
}

export async function start__Provider__Server(options: { apiKey: string }): Promise<__Provider__Server> {
  const calls: Recorded__Provider__Call[] = [];
  const script = new FaultScript<Recorded__Provider__Call>({});

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const call: Recorded__Provider__Call = {
      body: parseJsonOrText(await readBody(request)),
      authorization: request.headers.authorization,
      fault: undefined,
    };
    calls.push(call);
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;
    const faultAnswer = fault ? faultAnswers[fault.kind] : undefined;
    if (faultAnswer) return sendError(response, faultAnswer.status, faultAnswer.type, "Injected " + fault?.kind + ".");
    if (request.method !== "POST" || request.url !== "/v1/embeddings") {
      return sendError(response, 404, "not_found", "No route " + request.method + " " + request.url + ".");
    }
    if (request.headers.authorization !== "Bearer " + options.apiKey) {
      return sendError(response, 401, "unauthorized", "Invalid API key.");
    }
    const result = answer(call.body, fault);
    if (result === undefined) return sendError(response, 400, "invalid_request", "Malformed request.");
    const headers = { "x-request-id": "req-" + calls.length };
    if (fault?.kind === "malformed-json") sendText(response, 200, '{"data": [{"embedding": [0.1,', headers);
    else if (fault?.kind === "connection-reset") sendHalfThenReset(response, JSON.stringify(result), headers);
    else sendJson(response, 200, result, headers);
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendError(response, 500, "server_error", "Test server bug: " + String(error)),
  );
  return { url: server.url, calls, queueFaults: (...faults) => script.queue(...faults), close: server.close };
}
`;

export const testTemplate = `
import { join } from "node:path";
import {
  commonFaultExpectations,
  describePluginConformance,
  describeProviderConformance,
  type FaultQueue,
  faultErrorCase,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { create__Provider__Provider, plugin } from "../src/index.js";
import { type __Provider__Server, start__Provider__Server } from "./__provider__-server.js";

const apiKey = "__provider__-test-key-do-not-leak-1234";
let server: __Provider__Server;
beforeAll(async () => {
  server = await start__Provider__Server({ apiKey });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

const settings = () => ({
  model: "__provider__-embed-1",
  options: { endpoint: server.url },
  baseDirectory: ".",
  environment: { __PROVIDER___API_KEY: apiKey },
});
const liveServer: FaultQueue = { queueFaults: (...faults) => server.queueFaults(...faults) };

// The provider contract: vectors, order, usage, abort, and each failure as the right ProviderError.
describeProviderConformance({
  name: "__provider__",
  createProvider: () => create__Provider__Provider(settings()),
  secrets: [apiKey],
  arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  errorCases: [
    faultErrorCase(liveServer, { kind: "throttle" }, { retryable: true, throttled: true, status: 429, providerCode: "rate_limited" }),
    faultErrorCase(liveServer, { kind: "validation" }, { retryable: false, status: 400, providerCode: "invalid_request" }),
    faultErrorCase(liveServer, { kind: "internal-server" }, { retryable: true, status: 500 }),
    ...commonFaultExpectations.map(({ fault, expected }) => faultErrorCase(liveServer, fault, expected)),
  ],
});

// The package as embedeval meets it: the exported plugin, the model it creates, and the built package
// loaded by its name in plain Node (the test script builds first).
describePluginConformance({
  plugin,
  packageDirectory: join(import.meta.dirname, ".."),
  settings,
});

it("sends the documented request", async () => {
  const provider = create__Provider__Provider(settings());
  await provider.embed({ texts: ["a", "b"], inputType: "query" });
  expect(server.calls[0]?.body).toEqual({ model: "__provider__-embed-1", input: ["a", "b"], input_type: "query", dimensions: 256 });
  expect(server.calls[0]?.authorization).toBe("Bearer " + apiKey);
});
`;
