/**
 * A local HTTP server that speaks SageMaker Runtime's InvokeEndpoint wire protocol, with endpoints
 * that behave like the containers embedeval supports, so the real AWS SDK client can be tested
 * against it and benchmarks can run an endpoint with a known rate limit and latency.
 *
 * Wire format: POST /endpoints/{EndpointName}/invocations, the container's body as is, Content-Type
 * and Accept headers (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html).
 * Errors are a status, an `x-amzn-errortype` header and a JSON body with `Message`; a container
 * failure is a 424 ModelError carrying OriginalStatusCode and OriginalMessage. SigV4 is not verified.
 *
 * Container formats:
 * - "tei": Hugging Face Text Embeddings Inference, `{"inputs": [...], "normalize", "truncate",
 *   "truncation_direction", "prompt_name"}` -> `[[...], ...]`.
 * - "jumpstart": `{"text_inputs": [...]}` -> `{"embedding": [[...], ...]}`.
 * - "hf-inference-toolkit": `{"inputs": [...], "parameters"?}` -> sentence vectors `[[...]]`
 *   (sentence-transformers), or token vectors per input `[[[[...] x seq]]]` as the transformers
 *   feature-extraction pipeline returns them (unpadded), or a padded `[batch, seq, hidden]` tensor.
 * - "custom": an OpenAI-like container, `{"input": [...], "kind": "query"|"document"}` ->
 *   `{"data": [{"embedding": [...]}]}`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  type FaultInjectingServer,
  type FaultOptions,
  FaultScript,
  fakeEmbedding,
  fakeTokens,
  parseJsonOrText,
  type RecordedEmbeddingCall,
  readBody,
  sendAwsError,
  sendHalfThenReset,
  sendJson,
  sendText,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";
import type { ContainerFormatId } from "../container-format.js";

export interface FakeEndpoint {
  format: ContainerFormatId;
  dimensions: number;
  /** For "hf-inference-toolkit": what the container returns. Default "sentence". */
  output?: "sentence" | "token" | "token-padded";
}

export interface RecordedSagemakerCall extends RecordedEmbeddingCall {
  endpointName: string;
}

export interface SagemakerServerOptions extends FaultOptions<RecordedSagemakerCall> {
  /** Endpoints by name. */
  endpoints: Record<string, FakeEndpoint>;
}

export type SagemakerServer = FaultInjectingServer<RecordedSagemakerCall>;

interface ErrorShape {
  status: number;
  type: string;
  message: string;
}

// SageMaker Runtime has fewer error types than Bedrock; faults without a SageMaker counterpart map to
// the closest one (a missing endpoint is a ValidationError there).
const errorShapes: Partial<Record<Fault["kind"], ErrorShape>> = {
  throttle: { status: 400, type: "ThrottlingException", message: "Rate exceeded" },
  "model-not-ready": {
    status: 429,
    type: "ModelNotReadyException",
    message: "Model is not ready yet. Please try again later.",
  },
  "internal-server": { status: 500, type: "InternalFailure", message: "An internal failure occurred." },
  "service-unavailable": { status: 503, type: "ServiceUnavailable", message: "The service is unavailable." },
  validation: { status: 400, type: "ValidationError", message: "Invalid request." },
  "access-denied": { status: 403, type: "AccessDeniedException", message: "User is not authorized." },
  "resource-not-found": { status: 400, type: "ValidationError", message: "Endpoint not found." },
  "service-quota-exceeded": { status: 400, type: "ValidationError", message: "Quota exceeded." },
};

class BadRequest extends Error {}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new BadRequest(`"${field}" must be a list of strings`);
  }
  return value as string[];
}

function textsOf(format: ContainerFormatId, body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const object = body as Record<string, unknown>;
  const field =
    format === "jumpstart" ? object.text_inputs : format === "custom" ? object.input : object.inputs;
  if (typeof field === "string") return [field];
  return Array.isArray(field) ? field.filter((item): item is string => typeof item === "string") : [];
}

function tokenVectors(text: string, dimensions: number): number[][] {
  // A [CLS]-like first token, then one vector per word, as a transformer's last hidden state.
  return ["[CLS]", ...fakeTokens(text)].map((token) =>
    fakeEmbedding(token, dimensions, { normalize: false }),
  );
}

function answer(endpoint: FakeEndpoint, body: unknown, fault: Fault | undefined): unknown {
  const dimensions = fault?.kind === "wrong-dimension" ? endpoint.dimensions - 1 : endpoint.dimensions;
  if (typeof body !== "object" || body === null) throw new BadRequest("Body must be a JSON object");
  const object = body as Record<string, unknown>;
  switch (endpoint.format) {
    case "tei": {
      const inputs =
        typeof object.inputs === "string" ? [object.inputs] : stringList(object.inputs, "inputs");
      const normalize = object.normalize ?? true;
      const prompt = typeof object.prompt_name === "string" ? `${object.prompt_name}: ` : "";
      return inputs.map((text) =>
        fakeEmbedding(prompt + text, dimensions, { normalize: normalize === true }),
      );
    }
    case "jumpstart": {
      const inputs = stringList(object.text_inputs, "text_inputs");
      return { embedding: inputs.map((text) => fakeEmbedding(text, dimensions, { normalize: true })) };
    }
    case "hf-inference-toolkit": {
      const inputs =
        typeof object.inputs === "string" ? [object.inputs] : stringList(object.inputs, "inputs");
      const output = endpoint.output ?? "sentence";
      if (output === "sentence")
        return inputs.map((text) => fakeEmbedding(text, dimensions, { normalize: false }));
      const perInput = inputs.map((text) => tokenVectors(text, dimensions));
      if (output === "token") return perInput.map((tokens) => [tokens]);
      const longest = Math.max(...perInput.map((tokens) => tokens.length));
      const padding = fakeEmbedding("[PAD]", dimensions, { normalize: false });
      return perInput.map((tokens) => [
        ...tokens,
        ...Array.from({ length: longest - tokens.length }, () => padding),
      ]);
    }
    case "custom": {
      const inputs = stringList(object.input, "input");
      const prefix = object.kind === "query" ? "query: " : "";
      return {
        data: inputs.map((text, index) => ({
          index,
          embedding: fakeEmbedding(prefix + text, dimensions, { normalize: true }),
        })),
      };
    }
  }
}

/** Every answer names the production variant that served it, as SageMaker does. */
const variantHeader = { "x-Amzn-Invoked-Production-Variant": "AllTraffic" };

function sendError(
  response: ServerResponse,
  type: string,
  status: number,
  body: Record<string, unknown>,
): void {
  sendAwsError(response, {
    status,
    type,
    namespace: "com.amazon.sagemaker.runtime",
    body,
    headers: variantHeader,
  });
}

export async function startSagemakerServer(options: SagemakerServerOptions): Promise<SagemakerServer> {
  const calls: RecordedSagemakerCall[] = [];
  const script = new FaultScript<RecordedSagemakerCall>(options);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(path);
    if (request.method !== "POST" || !match?.[1]) {
      sendError(response, "UnknownOperationException", 404, {
        message: `No operation at ${request.method} ${path}`,
      });
      return;
    }
    const endpointName = decodeURIComponent(match[1]);
    const endpoint = options.endpoints[endpointName];
    const body = parseJsonOrText(raw);
    const call: RecordedSagemakerCall = {
      index: calls.length,
      method: request.method,
      path,
      endpointName,
      body,
      texts: endpoint ? textsOf(endpoint.format, body) : [],
      headers: request.headers,
      fault: undefined,
      status: 0,
    };
    calls.push(call);
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;

    if (fault?.kind === "model-error" || fault?.kind === "model-timeout") {
      const originalStatusCode = fault.kind === "model-error" ? (fault.originalStatusCode ?? 500) : 408;
      const originalMessage =
        (fault.kind === "model-error" ? fault.originalMessage : undefined) ??
        `{"error": "container failed with ${originalStatusCode}"}`;
      call.status = 424;
      sendError(response, "ModelError", 424, {
        ErrorCode: "CLIENT_ERROR_FROM_MODEL",
        LogStreamArn: `arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/${endpointName}`,
        Message: `Received server error (${originalStatusCode}) from primary with message "${originalMessage}".`,
        OriginalMessage: originalMessage,
        OriginalStatusCode: originalStatusCode,
      });
      return;
    }
    const shape = fault ? errorShapes[fault.kind] : undefined;
    if (shape) {
      call.status = shape.status;
      const message = fault?.kind === "validation" && fault.message ? fault.message : shape.message;
      sendError(response, shape.type, shape.status, { Message: message, message });
      return;
    }
    if (!endpoint) {
      call.status = 400;
      const message = `Endpoint ${endpointName} of account 123456789012 not found.`;
      sendError(response, "ValidationError", 400, { Message: message, message });
      return;
    }
    const contentType = request.headers["content-type"];
    if (contentType !== "application/json") {
      call.status = 424;
      sendError(response, "ModelError", 424, {
        Message: "Received client error (415) from primary",
        OriginalMessage: `Content type ${String(contentType)} is not supported by this container`,
        OriginalStatusCode: 415,
      });
      return;
    }
    let result: unknown;
    try {
      result = answer(endpoint, body, fault);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      // Containers answer bad input themselves; SageMaker relays it as a ModelError.
      call.status = 424;
      sendError(response, "ModelError", 424, {
        Message: `Received client error (422) from primary with message "${error.message}".`,
        OriginalMessage: error.message,
        OriginalStatusCode: 422,
      });
      return;
    }
    if (fault?.kind === "malformed-json") {
      call.status = 200;
      sendText(response, 200, "[[0.25, -0.5,", variantHeader);
      return;
    }
    if (fault?.kind === "connection-reset") {
      sendHalfThenReset(response, JSON.stringify(result));
      return;
    }
    call.status = 200;
    sendJson(response, 200, result, variantHeader);
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendError(response, "InternalFailure", 500, { Message: `Test server bug: ${String(error)}` }),
  );
  return {
    url: server.url,
    calls,
    queueFaults: (...faults) => script.queue(...faults),
    close: server.close,
  };
}
