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
  type Fault,
  type FaultInjectingServer,
  type FaultOptions,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  parseJsonOrText,
  type RecordedEmbeddingCall,
  readBody,
  sendHalfThenReset,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";

/** A model the server serves. */
export interface ServedModel {
  /** Vector size when `dimensions` is not sent. */
  dimensions: number;
  /** Whether `dimensions` may be sent (the v3 models: shortened and normalised again). */
  acceptsDimensions: boolean;
  /** Unit-length vectors (OpenAI's are); false gives vectors of another norm, as some open models do. */
  normalize: boolean;
  /** Body fields this model's server accepts besides OpenAI's (vLLM's `truncate_prompt_tokens`, ...). */
  extraFields?: readonly string[];
}

export const defaultServedModels: Readonly<Record<string, ServedModel>> = {
  "text-embedding-3-small": { dimensions: 1536, acceptsDimensions: true, normalize: true },
  "text-embedding-3-large": { dimensions: 3072, acceptsDimensions: true, normalize: true },
  "text-embedding-ada-002": { dimensions: 1536, acceptsDimensions: false, normalize: true },
};

export type RetryAfterHeader = "retry-after-ms" | "retry-after" | "x-ratelimit";

export interface RecordedOpenAICall extends RecordedEmbeddingCall {
  route: "openai" | "azure" | "unknown";
  /** `model` from the body (OpenAI route) or the deployment's model (Azure). */
  model: string | undefined;
  deployment: string | undefined;
  apiVersion: string | undefined;
  /** Milliseconds (performance.now) when the request arrived. */
  receivedAt: number;
  /** Tokens billed: set when a 200 carrying usage was sent in full. */
  billedTokens: number | undefined;
}

export interface OpenAIServerOptions extends FaultOptions<RecordedOpenAICall> {
  /** The key `/v1/embeddings` requires as `Authorization: Bearer`; unset: no key needed (a local server). */
  apiKey?: string;
  /** Azure: the `api-key` header value accepted. */
  azureApiKey?: string;
  /** Azure: the Microsoft Entra token accepted as `Authorization: Bearer`. */
  azureEntraToken?: string;
  /** Azure deployments, name to model; default: one per served model, named like it. */
  deployments?: Readonly<Record<string, string>>;
  /** Models served; default: OpenAI's three. */
  models?: Readonly<Record<string, ServedModel>>;
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
  maxTokensPerInput?: number;
  /** The wait a 429 asks for; default 20 ms. */
  retryAfterMs?: number;
  /** Which headers carry it; default all three. */
  retryAfterHeaders?: readonly RetryAfterHeader[];
  /** false: answers carry no `usage` (some compatible servers). Default true. */
  reportUsage?: boolean;
  /** true: `data` comes in reverse order (each item keeps its `index`). */
  reverseData?: boolean;
}

export interface OpenAIServer extends FaultInjectingServer<RecordedOpenAICall> {
  /** `${url}/v1`: the plugin's `baseURL`. */
  baseURL: string;
  /** Tokens billed so far: the sum of `billedTokens` over every call. */
  billedTokens(): number;
}

interface ErrorAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as text/html instead of JSON (a proxy's page). */
  html?: string;
}

class Rejection extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

function openAIError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): ErrorAnswer {
  return { status, body: { error: { message, type, param, code } } };
}

function azureError(status: number, code: string, message: string): ErrorAnswer {
  return { status, body: { error: { code, message } } };
}

/** What OpenAI's 401 shows of a wrong key: the start and the last four characters. */
function maskedKey(key: string): string {
  return key.length <= 12
    ? "*".repeat(key.length)
    : `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}

function retryAfterHeaders(milliseconds: number, which: readonly RetryAfterHeader[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (which.includes("retry-after-ms")) headers["retry-after-ms"] = String(milliseconds);
  if (which.includes("retry-after")) headers["retry-after"] = String(Math.ceil(milliseconds / 1000));
  if (which.includes("x-ratelimit")) {
    headers["x-ratelimit-remaining-requests"] = "0";
    headers["x-ratelimit-reset-requests"] = `${milliseconds}ms`;
  }
  return headers;
}

function faultAnswer(
  fault: Fault,
  route: RecordedOpenAICall["route"],
  model: string,
  options: OpenAIServerOptions,
): ErrorAnswer | undefined {
  const azure = route === "azure";
  const wait = options.retryAfterMs ?? 20;
  switch (fault.kind) {
    case "throttle": {
      const answer = azure
        ? azureError(
            429,
            "429",
            `Requests to the Embeddings_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${Math.ceil(wait / 1000)} second.`,
          )
        : openAIError(
            429,
            `Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3000, Used 3000, Requested 1. Please try again in ${wait}ms.`,
            "requests",
            "rate_limit_exceeded",
          );
      return {
        ...answer,
        headers: retryAfterHeaders(
          wait,
          options.retryAfterHeaders ?? ["retry-after-ms", "retry-after", "x-ratelimit"],
        ),
      };
    }
    case "model-not-ready":
      return openAIError(503, "Model is loading, please retry.", "server_error", "model_not_ready");
    case "internal-server":
      return openAIError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
      );
    case "service-unavailable":
      return openAIError(503, "The server is overloaded or not ready yet.", "server_error");
    case "validation":
      return openAIError(400, fault.message ?? "Invalid request.", "invalid_request_error");
    case "access-denied":
      return azure
        ? azureError(403, "PermissionDenied", "The principal lacks the required data action.")
        : openAIError(
            403,
            "You are not allowed to sample from this model.",
            "invalid_request_error",
            "model_not_allowed",
          );
    case "resource-not-found":
      return azure
        ? azureError(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
        : openAIError(
            404,
            `The model \`${model}\` does not exist or you do not have access to it.`,
            "invalid_request_error",
            "model_not_found",
          );
    case "service-quota-exceeded":
      return openAIError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
        "insufficient_quota",
      );
    case "model-timeout":
      return {
        status: 504,
        body: undefined,
        html: "<html><body><h1>504 Gateway Time-out</h1></body></html>",
      };
    case "model-error":
      // What Text Embeddings Inference's OpenAI route answers: a string error and its kind.
      return {
        status: 422,
        body: {
          error: fault.originalMessage ?? "Input validation error: inputs cannot be empty",
          error_type: "Validation",
        },
      };
    default:
      return undefined;
  }
}

function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString("base64");
}

const openAIFields = ["model", "input", "encoding_format", "dimensions", "user"];

interface Answer {
  body: Record<string, unknown>;
  tokens: number;
}

function answerEmbeddings(
  body: unknown,
  modelName: string,
  served: ServedModel,
  options: OpenAIServerOptions,
  fault: Fault | undefined,
): Answer {
  const object = body as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!openAIFields.includes(key) && !(served.extraFields ?? []).includes(key)) {
      throw new Rejection(
        openAIError(400, `Unrecognized request argument supplied: ${key}`, "invalid_request_error"),
      );
    }
  }
  const input = typeof object.input === "string" ? [object.input] : object.input;
  if (
    !Array.isArray(input) ||
    input.length === 0 ||
    input.some((text) => typeof text !== "string" || text.length === 0)
  ) {
    throw new Rejection(
      openAIError(
        400,
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        "invalid_request_error",
      ),
    );
  }
  const texts = input as string[];
  const maxInputs = options.maxInputsPerRequest ?? 2048;
  if (texts.length > maxInputs) {
    throw new Rejection(
      openAIError(
        400,
        `Too many inputs. The max number of inputs is ${maxInputs}.`,
        "invalid_request_error",
        null,
        "input",
      ),
    );
  }
  const perInput = options.maxTokensPerInput ?? 8191;
  const counts = texts.map((text) => fakeTokenCount(text));
  const longest = Math.max(...counts);
  if (longest > perInput) {
    throw new Rejection(
      openAIError(
        400,
        `This model's maximum context length is ${perInput} tokens, however you requested ${longest} tokens (${longest} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
        "invalid_request_error",
      ),
    );
  }
  const tokens = counts.reduce((sum, count) => sum + count, 0);
  const perRequest = options.maxTokensPerRequest ?? 300_000;
  if (tokens > perRequest) {
    throw new Rejection(
      openAIError(
        400,
        `Requested ${tokens} tokens, max ${perRequest} tokens per request`,
        "invalid_request_error",
        "max_tokens_per_request",
      ),
    );
  }
  const format = object.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new Rejection(
      openAIError(
        400,
        `Invalid value for 'encoding_format': ${JSON.stringify(format)}.`,
        "invalid_request_error",
        null,
        "encoding_format",
      ),
    );
  }
  let dimensions = served.dimensions;
  if (object.dimensions !== undefined) {
    if (!served.acceptsDimensions) {
      throw new Rejection(
        openAIError(400, "This model does not support specifying dimensions.", "invalid_request_error"),
      );
    }
    const asked = object.dimensions;
    if (typeof asked !== "number" || !Number.isInteger(asked) || asked < 1 || asked > served.dimensions) {
      throw new Rejection(
        openAIError(
          400,
          `Invalid value for 'dimensions' = ${JSON.stringify(asked)}. Must be between 1 and ${served.dimensions}.`,
          "invalid_request_error",
          null,
          "dimensions",
        ),
      );
    }
    dimensions = asked;
  }
  const data = texts.map((text, index) => {
    let vector = fakeEmbedding(text, dimensions, { normalize: served.normalize });
    if (fault?.kind === "wrong-dimension") vector = vector.slice(0, -1);
    return { object: "embedding", index, embedding: format === "base64" ? float32Base64(vector) : vector };
  });
  if (options.reverseData) data.reverse();
  return {
    body: {
      object: "list",
      data,
      model: modelName,
      ...(options.reportUsage === false ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    },
    tokens,
  };
}

function textsOf(body: unknown): string[] {
  const input = (body as { input?: unknown } | null)?.input;
  if (typeof input === "string") return [input];
  return Array.isArray(input) ? input.filter((text): text is string => typeof text === "string") : [];
}

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
