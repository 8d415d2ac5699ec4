/**
 * A local HTTP server on 127.0.0.1 that speaks the OpenAI embeddings wire format, and Azure OpenAI's
 * URL and header shape, so the plugin's real fetch calls can be tested against it (bodies, headers,
 * status codes, error bodies, rate-limit headers) and benchmarks can run the plugin at a known rate.
 *
 * - OpenAI and compatible servers: `POST /v1/embeddings`, `Authorization: Bearer KEY`.
 * - Azure OpenAI: `POST /openai/deployments/{deployment}/embeddings?api-version=...`, with an `api-key`
 *   header or `Authorization: Bearer ENTRA_TOKEN`.
 *
 * Body: `{model, input: string | string[], encoding_format?: "float" | "base64", dimensions?, user?}`.
 * Answer: `{object: "list", data: [{object: "embedding", index, embedding}], model, usage: {prompt_tokens,
 * total_tokens}}`, with `x-request-id` and `x-ratelimit-*` headers; base64 embeddings are little-endian
 * float32. Errors: `{"error": {"message", "type", "param", "code"}}` (Azure: `{"error": {"code",
 * "message"}}`). Limits as OpenAI documents them: 2,048 inputs and 300,000 tokens per request, 8,191
 * tokens per input (tokens are the testkit's word count). Faults come from the testkit's FaultScript.
 *
 * Written from the API reference and the official SDK, independently of the plugin's request builder, so
 * a test that asserts on what this server received checks the plugin against the documented format.
 * The server keeps a ledger: each call that was answered in full with a 200 records the tokens it billed.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  FaultScript,
  parseJsonOrText,
  readBody,
  sendHalfThenReset,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";
import { type Answer, answerEmbeddings, textsOf } from "./openai-embeddings-answer.js";
import { azureError, type ErrorAnswer, maskedKey, openAIError, Rejection } from "./openai-error-answer.js";
import { faultAnswer } from "./openai-fault-answer.js";
import {
  defaultServedModels,
  type OpenAIServer,
  type OpenAIServerOptions,
  type RecordedOpenAICall,
} from "./openai-server-options.js";

export {
  defaultServedModels,
  type OpenAIServer,
  type OpenAIServerOptions,
  type RecordedOpenAICall,
  type RetryAfterHeader,
  type ServedModel,
} from "./openai-server-options.js";

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const calls: RecordedOpenAICall[] = [];
  const script = new FaultScript<RecordedOpenAICall>(options);
  const models = options.models ?? defaultServedModels;
  const deployments =
    options.deployments ?? Object.fromEntries(Object.keys(models).map((name) => [name, name]));

  function send(
    response: ServerResponse,
    call: RecordedOpenAICall,
    status: number,
    text: string,
    headers: Record<string, string>,
    contentType = "application/json",
  ): void {
    call.status = status;
    const requestId = `req_${randomBytes(16).toString("hex")}`;
    response.writeHead(status, {
      "Content-Type": contentType,
      "Content-Length": Buffer.byteLength(text),
      "x-request-id": requestId,
      ...(call.route === "azure" ? { "apim-request-id": randomUUID(), "x-ms-region": "East US" } : {}),
      ...headers,
    });
    response.end(text);
  }

  function sendError(response: ServerResponse, call: RecordedOpenAICall, answer: ErrorAnswer): void {
    if (answer.html !== undefined) {
      send(response, call, answer.status, answer.html, answer.headers ?? {}, "text/html");
      return;
    }
    send(response, call, answer.status, JSON.stringify(answer.body), answer.headers ?? {});
  }

  /** Undefined when the credentials are right; the 401 otherwise. */
  function authenticate(
    request: IncomingMessage,
    route: RecordedOpenAICall["route"],
  ): ErrorAnswer | undefined {
    const authorization = request.headers.authorization;
    if (route === "azure") {
      const key = request.headers["api-key"];
      if (options.azureApiKey !== undefined && key === options.azureApiKey) return undefined;
      if (options.azureEntraToken !== undefined && authorization === `Bearer ${options.azureEntraToken}`)
        return undefined;
      if (options.azureApiKey === undefined && options.azureEntraToken === undefined) return undefined;
      return azureError(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
      );
    }
    if (options.apiKey === undefined) return undefined;
    if (authorization === `Bearer ${options.apiKey}`) return undefined;
    if (!authorization?.startsWith("Bearer ")) {
      return openAIError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "invalid_request_error",
      );
    }
    return openAIError(
      401,
      `Incorrect API key provided: ${maskedKey(authorization.slice("Bearer ".length))}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      "invalid_request_error",
      "invalid_api_key",
    );
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const raw = await readBody(request);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const azureMatch = /^\/openai\/deployments\/([^/]+)\/embeddings$/.exec(url.pathname);
    const route: RecordedOpenAICall["route"] =
      request.method === "POST" && url.pathname === "/v1/embeddings"
        ? "openai"
        : request.method === "POST" && azureMatch
          ? "azure"
          : "unknown";
    const body = parseJsonOrText(raw);
    const deployment = azureMatch?.[1] ? decodeURIComponent(azureMatch[1]) : undefined;
    const bodyModel = (body as { model?: unknown } | null)?.model;
    const call: RecordedOpenAICall = {
      index: calls.length,
      method: request.method ?? "",
      path: url.pathname,
      route,
      model:
        route === "azure"
          ? deployment === undefined
            ? undefined
            : deployments[deployment]
          : typeof bodyModel === "string"
            ? bodyModel
            : undefined,
      deployment,
      apiVersion: url.searchParams.get("api-version") ?? undefined,
      body,
      texts: textsOf(body),
      headers: request.headers,
      fault: undefined,
      status: 0,
      receivedAt,
      billedTokens: undefined,
    };
    calls.push(call);
    if (route === "unknown") {
      sendError(
        response,
        call,
        openAIError(404, `Invalid URL (${request.method} ${url.pathname})`, "invalid_request_error"),
      );
      return;
    }
    if (route === "azure" && call.apiVersion === undefined) {
      sendError(response, call, azureError(404, "404", "Resource not found"));
      return;
    }
    const refused = authenticate(request, route);
    if (refused) {
      sendError(response, call, refused);
      return;
    }
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;
    const faulted = fault ? faultAnswer(fault, route, call.model ?? "model", options) : undefined;
    if (faulted) {
      sendError(response, call, faulted);
      return;
    }
    const served = call.model === undefined ? undefined : models[call.model];
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      sendError(
        response,
        call,
        openAIError(400, "We could not parse the JSON body of your request.", "invalid_request_error"),
      );
      return;
    }
    if (!served || call.model === undefined) {
      sendError(
        response,
        call,
        route === "azure"
          ? azureError(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
          : openAIError(
              404,
              `The model \`${String(bodyModel)}\` does not exist or you do not have access to it.`,
              "invalid_request_error",
              "model_not_found",
            ),
      );
      return;
    }
    let answer: Answer;
    try {
      answer = answerEmbeddings(body, call.model, served, options, fault);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      sendError(response, call, error.answer);
      return;
    }
    const rateHeaders = {
      "x-ratelimit-limit-requests": "3000",
      "x-ratelimit-remaining-requests": "2999",
      "x-ratelimit-reset-requests": "20ms",
      "x-ratelimit-limit-tokens": "1000000",
      "x-ratelimit-remaining-tokens": String(Math.max(0, 1_000_000 - answer.tokens)),
      "x-ratelimit-reset-tokens": "6m0s",
      "openai-processing-ms": "12",
    };
    if (fault?.kind === "malformed-json") {
      send(
        response,
        call,
        200,
        '{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.01',
        rateHeaders,
      );
      return;
    }
    const text = JSON.stringify(answer.body);
    if (fault?.kind === "connection-reset") {
      sendHalfThenReset(response, text, { "x-request-id": `req_${randomBytes(16).toString("hex")}` });
      return;
    }
    send(response, call, 200, text, rateHeaders);
    if (options.reportUsage !== false) call.billedTokens = answer.tokens;
  }

  const server = await startLocalServer(handle, (response, error) => {
    const text = JSON.stringify({
      error: { message: `Test server bug: ${String(error)}`, type: "server_error", param: null, code: null },
    });
    response.writeHead(500, { "Content-Type": "application/json" });
    response.end(text);
  });
  return {
    url: server.url,
    baseURL: `${server.url}/v1`,
    calls,
    queueFaults: (...faults) => script.queue(...faults),
    billedTokens: () => calls.reduce((sum, call) => sum + (call.billedTokens ?? 0), 0),
    close: server.close,
  };
}
