/**
 * A local Acme Embeddings API for tests, built on @embedeval/provider-testkit: the testkit gives the
 * listening, body reading, latency, rate limit and fault script; this file only knows Acme's route,
 * request checks and answer shapes (see acme-embedding-provider.ts for the wire format).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  type FaultInjectingServer,
  type FaultOptions,
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

export interface RecordedAcmeCall {
  body: unknown;
  headers: IncomingHttpHeaders;
  fault: Fault["kind"] | undefined;
}

export interface AcmeServerOptions extends FaultOptions<RecordedAcmeCall> {
  /** The key the server accepts as `Authorization: Bearer <key>`. */
  apiKey: string;
}

export type AcmeServer = FaultInjectingServer<RecordedAcmeCall>;

/** How Acme reports each fault: status and error type. */
const faultAnswers: Partial<Record<Fault["kind"], { status: number; type: string }>> = {
  throttle: { status: 429, type: "rate_limited" },
  "model-not-ready": { status: 503, type: "overloaded" },
  "internal-server": { status: 500, type: "server_error" },
  "service-unavailable": { status: 503, type: "overloaded" },
  validation: { status: 400, type: "invalid_request" },
  "access-denied": { status: 403, type: "forbidden" },
  "resource-not-found": { status: 404, type: "not_found" },
};

class BadRequest extends Error {}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(
    response,
    status,
    { error: { type, message } },
    type === "rate_limited" ? { "retry-after": "1" } : {},
  );
}

function answer(body: unknown, fault: Fault | undefined): unknown {
  if (typeof body !== "object" || body === null) throw new BadRequest("The body must be a JSON object.");
  const { model, inputs, input_type: inputType, dimensions = 256 } = body as Record<string, unknown>;
  if (model !== "acme-embed-1") throw new BadRequest(`Unknown model ${JSON.stringify(model)}.`);
  if (
    !Array.isArray(inputs) ||
    inputs.length === 0 ||
    inputs.length > 64 ||
    inputs.some((text) => typeof text !== "string")
  ) {
    throw new BadRequest("`inputs` must hold 1 to 64 strings.");
  }
  if (inputType !== "query" && inputType !== "document")
    throw new BadRequest("`input_type` must be query or document.");
  if (dimensions !== 128 && dimensions !== 256) throw new BadRequest("`dimensions` must be 128 or 256.");
  const size = fault?.kind === "wrong-dimension" ? dimensions - 1 : dimensions;
  const texts = inputs as string[];
  return {
    id: `emb-${Math.random().toString(36).slice(2)}`,
    // Queries get a prefix, as instruction-tuned models do, so the two input types differ.
    embeddings: texts.map((text) =>
      fakeEmbedding(inputType === "query" ? `query: ${text}` : text, size, { normalize: true }),
    ),
    usage: { input_tokens: texts.reduce((sum, text) => sum + fakeTokenCount(text), 0) },
  };
}

export async function startAcmeServer(options: AcmeServerOptions): Promise<AcmeServer> {
  const calls: RecordedAcmeCall[] = [];
  const script = new FaultScript<RecordedAcmeCall>(options);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const call: RecordedAcmeCall = {
      body: parseJsonOrText(await readBody(request)),
      headers: request.headers,
      fault: undefined,
    };
    calls.push(call);
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;
    const faultAnswer = fault ? faultAnswers[fault.kind] : undefined;
    if (faultAnswer) {
      sendError(response, faultAnswer.status, faultAnswer.type, `Injected ${fault?.kind}.`);
      return;
    }
    if (request.method !== "POST" || request.url !== "/v1/embeddings") {
      sendError(response, 404, "not_found", `No route ${request.method} ${request.url}.`);
      return;
    }
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendError(response, 401, "unauthorized", "Invalid API key.");
      return;
    }
    let result: unknown;
    try {
      result = answer(call.body, fault);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      sendError(response, 400, "invalid_request", error.message);
      return;
    }
    const headers = { "x-request-id": `req-${calls.length}` };
    if (fault?.kind === "malformed-json") sendText(response, 200, '{"embeddings": [[0.1,', headers);
    else if (fault?.kind === "connection-reset") sendHalfThenReset(response, JSON.stringify(result), headers);
    else sendJson(response, 200, result, headers);
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendError(response, 500, "server_error", `Test server bug: ${String(error)}`),
  );
  return { url: server.url, calls, queueFaults: (...faults) => script.queue(...faults), close: server.close };
}
