/**
 * A local HTTP server that speaks Bedrock Runtime's InvokeModel wire protocol for the embedding models
 * embedeval supports, so the real AWS SDK client can be tested against it (serialisation, headers,
 * error parsing) and so benchmarks can run a provider with a known rate limit and latency.
 *
 * Wire format: POST /model/{url-encoded modelId}/invoke with the model's JSON body
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html).
 * Errors are a status code, an `x-amzn-errortype` header in the form the SDK's restJson1 parser
 * reads (`ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/`, it keeps the
 * part before the first colon) and a `{"message": ...}` body. SigV4 signatures are not verified.
 *
 * Written independently of the plugin's own request builders on purpose: a test that asserts on
 * what this server received checks the plugin against the documented format, not against itself.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  type FaultInjectingServer,
  type FaultOptions,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  packSignBits,
  parseJsonOrText,
  quantizeInt8,
  type RecordedEmbeddingCall,
  readBody,
  sendAwsError,
  sendHalfThenReset,
  sendJson,
  sendText,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";

/** texts: inputText, texts[] or text.value, whichever the family's body holds. */
export interface RecordedBedrockCall extends RecordedEmbeddingCall {
  /** The decoded model id from the path, inference-profile prefix included. */
  modelId: string;
}

export type BedrockServerOptions = FaultOptions<RecordedBedrockCall>;

export type BedrockServer = FaultInjectingServer<RecordedBedrockCall>;

interface ErrorShape {
  status: number;
  type: string;
}

const errorShapes: Partial<Record<Fault["kind"], ErrorShape>> = {
  throttle: { status: 429, type: "ThrottlingException" },
  "model-not-ready": { status: 429, type: "ModelNotReadyException" },
  "internal-server": { status: 500, type: "InternalServerException" },
  "service-unavailable": { status: 503, type: "ServiceUnavailableException" },
  validation: { status: 400, type: "ValidationException" },
  "access-denied": { status: 403, type: "AccessDeniedException" },
  "resource-not-found": { status: 404, type: "ResourceNotFoundException" },
  "service-quota-exceeded": { status: 400, type: "ServiceQuotaExceededException" },
  "model-timeout": { status: 408, type: "ModelTimeoutException" },
  "model-error": { status: 424, type: "ModelErrorException" },
};

const errorMessages: Record<string, string> = {
  ThrottlingException: "Too many requests, please wait before trying again.",
  ModelNotReadyException: "Model is not ready for inference. Wait and try your request again.",
  InternalServerException: "The server encountered an internal error.",
  ServiceUnavailableException: "The service is temporarily unavailable.",
  ValidationException: "Malformed input request, please reformat your input and try again.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: "The requested resource could not be found.",
  ServiceQuotaExceededException: "Your request exceeds the service quota for your account.",
  ModelTimeoutException: "Model has timed out in processing the request.",
  ModelErrorException: "The model returned an error.",
};

type Family = "titan-v1" | "titan-v2" | "cohere-v3" | "cohere-v4" | "nova";

/** Inference profiles put a geography in front of the model id: us., eu., apac., global., ... */
const profilePrefix = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

function familyOf(modelId: string): Family | undefined {
  const base = modelId.replace(profilePrefix, "");
  if (base.startsWith("amazon.titan-embed-text-v1") || base.startsWith("amazon.titan-embed-g1-text-02"))
    return "titan-v1";
  if (base.startsWith("amazon.titan-embed-text-v2")) return "titan-v2";
  if (base.startsWith("cohere.embed-english-v3") || base.startsWith("cohere.embed-multilingual-v3"))
    return "cohere-v3";
  if (base.startsWith("cohere.embed-v4")) return "cohere-v4";
  if (base.startsWith("amazon.nova-2-multimodal-embeddings-v1")) return "nova";
  return undefined;
}

class BadRequest extends Error {}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BadRequest("Malformed input request: #: expected type: JSONObject");
  }
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw new BadRequest(`Malformed input request: #: extraneous key [${key}] is not permitted`);
  }
}

function oneOf<T>(value: unknown, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value as T)) {
    throw new BadRequest(
      `Malformed input request: #/${name}: ${JSON.stringify(value)} is not a valid enum value`,
    );
  }
  return value as T;
}

function textsOf(family: Family, body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const object = body as Record<string, unknown>;
  if (family === "titan-v1" || family === "titan-v2")
    return typeof object.inputText === "string" ? [object.inputText] : [];
  if (family === "cohere-v3" || family === "cohere-v4") {
    return Array.isArray(object.texts)
      ? object.texts.filter((text): text is string => typeof text === "string")
      : [];
  }
  const text = (object.singleEmbeddingParams as { text?: { value?: unknown } } | undefined)?.text?.value;
  return typeof text === "string" ? [text] : [];
}

interface Answer {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

function shrink(vector: number[], fault: Fault | undefined): number[] {
  return fault?.kind === "wrong-dimension" ? vector.slice(0, -1) : vector;
}

function answerTitan(family: Family, body: Record<string, unknown>, fault: Fault | undefined): Answer {
  const inputText = body.inputText;
  if (typeof inputText !== "string")
    throw new BadRequest("Malformed input request: #: required key [inputText] not found");
  if (family === "titan-v1") {
    onlyKeys(body, ["inputText"]);
    return {
      body: {
        embedding: shrink(fakeEmbedding(inputText, 1536, { normalize: false }), fault),
        inputTextTokenCount: fakeTokenCount(inputText),
      },
      headers: {},
    };
  }
  onlyKeys(body, ["inputText", "dimensions", "normalize", "embeddingTypes"]);
  if (inputText.length > 50_000)
    throw new BadRequest("Malformed input request: #/inputText: expected maxLength: 50000");
  const dimensions = oneOf(body.dimensions ?? 1024, [256, 512, 1024], "dimensions");
  const normalize = oneOf(body.normalize ?? true, [true, false], "normalize");
  const types = (body.embeddingTypes ?? ["float"]) as unknown[];
  if (!Array.isArray(types) || types.length === 0)
    throw new BadRequest("Malformed input request: #/embeddingTypes");
  for (const type of types) oneOf(type, ["float", "binary"], "embeddingTypes");
  const vector = shrink(fakeEmbedding(inputText, dimensions, { normalize }), fault);
  const byType: Record<string, number[]> = {};
  if (types.includes("float")) byType.float = vector;
  // Titan documents binary as `[int, ...]`, one 0/1 value per dimension.
  if (types.includes("binary")) byType.binary = vector.map((value) => (value > 0 ? 1 : 0));
  return {
    body: { embedding: vector, inputTextTokenCount: fakeTokenCount(inputText), embeddingsByType: byType },
    headers: {},
  };
}

function answerCohere(family: Family, body: Record<string, unknown>, fault: Fault | undefined): Answer {
  const isV4 = family === "cohere-v4";
  onlyKeys(
    body,
    isV4
      ? [
          "texts",
          "images",
          "inputs",
          "input_type",
          "truncate",
          "embedding_types",
          "output_dimension",
          "max_tokens",
        ]
      : ["texts", "images", "input_type", "truncate", "embedding_types"],
  );
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((text) => typeof text !== "string")) {
    throw new BadRequest("Malformed input request: #/texts: expected a non-empty array of strings");
  }
  if (texts.length > 96) throw new BadRequest("Malformed input request: #/texts: expected maxItems: 96");
  if (!isV4 && texts.some((text: string) => text.length > 2048)) {
    throw new BadRequest("Malformed input request: #/texts: expected maxLength: 2048");
  }
  oneOf(body.input_type, ["search_document", "search_query", "classification", "clustering"], "input_type");
  if (body.truncate !== undefined) {
    oneOf(body.truncate, isV4 ? ["NONE", "LEFT", "RIGHT"] : ["NONE", "START", "END"], "truncate");
  }
  const dimensions = isV4
    ? oneOf(body.output_dimension ?? 1536, [256, 512, 1024, 1536], "output_dimension")
    : 1024;
  const vectors = (texts as string[]).map((text) =>
    shrink(fakeEmbedding(text, dimensions, { normalize: true }), fault),
  );
  const tokens = (texts as string[]).reduce((sum, text) => sum + fakeTokenCount(text), 0);
  const headers = { "X-Amzn-Bedrock-Input-Token-Count": String(tokens) };
  const id = randomUUID();
  if (body.embedding_types === undefined) {
    return { body: { id, embeddings: vectors, response_type: "embeddings_floats", texts }, headers };
  }
  const types = body.embedding_types;
  if (!Array.isArray(types) || types.length === 0)
    throw new BadRequest("Malformed input request: #/embedding_types");
  const byType: Record<string, number[][]> = {};
  for (const type of types) {
    const name = oneOf(type, ["float", "int8", "uint8", "binary", "ubinary"], "embedding_types");
    byType[name] = vectors.map((vector) => {
      if (name === "float") return vector;
      if (name === "int8") return quantizeInt8(vector);
      if (name === "uint8") return quantizeInt8(vector).map((value) => value + 128);
      return packSignBits(vector, name === "binary");
    });
  }
  return { body: { id, embeddings: byType, response_type: "embeddings_by_type", texts }, headers };
}

function answerNova(body: Record<string, unknown>, fault: Fault | undefined): Answer {
  onlyKeys(body, ["schemaVersion", "taskType", "singleEmbeddingParams"]);
  oneOf(body.schemaVersion, ["nova-multimodal-embed-v1"], "schemaVersion");
  oneOf(body.taskType, ["SINGLE_EMBEDDING"], "taskType");
  const parameters = record(body.singleEmbeddingParams);
  oneOf(
    parameters.embeddingPurpose,
    ["GENERIC_INDEX", "GENERIC_RETRIEVAL", "TEXT_RETRIEVAL", "CLASSIFICATION", "CLUSTERING"],
    "singleEmbeddingParams/embeddingPurpose",
  );
  const dimensions = oneOf(
    parameters.embeddingDimension ?? 3072,
    [256, 384, 1024, 3072],
    "embeddingDimension",
  );
  const text = record(parameters.text);
  if (typeof text.value !== "string")
    throw new BadRequest("Malformed input request: #/singleEmbeddingParams/text/value");
  oneOf(text.truncationMode, ["START", "END", "NONE"], "singleEmbeddingParams/text/truncationMode");
  const vector = shrink(fakeEmbedding(text.value, dimensions, { normalize: true }), fault);
  return { body: { embeddings: [{ embeddingType: "TEXT", embedding: vector }] }, headers: {} };
}

/**
 * InvokeModel's answer body for one request body, exactly as this server sends it, or the service's
 * validation message: what a batch job writes for one record (bedrock-batch-server.ts), so batch and
 * on-demand vectors are the same.
 */
export function invokeModelOutput(
  modelId: string,
  body: unknown,
): { modelOutput: Record<string, unknown> } | { error: string } {
  const family = familyOf(modelId);
  if (!family) return { error: "The provided model identifier is invalid." };
  try {
    const object = record(body);
    const answer =
      family === "nova"
        ? answerNova(object, undefined)
        : family === "cohere-v3" || family === "cohere-v4"
          ? answerCohere(family, object, undefined)
          : answerTitan(family, object, undefined);
    return { modelOutput: answer.body };
  } catch (error) {
    if (error instanceof BadRequest) return { error: error.message };
    throw error;
  }
}

function sendError(
  response: ServerResponse,
  shape: ErrorShape,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  sendAwsError(response, { ...shape, namespace: "com.amazon.bedrock", body: { message, ...extra } });
}

export async function startBedrockServer(options: BedrockServerOptions = {}): Promise<BedrockServer> {
  const calls: RecordedBedrockCall[] = [];
  const script = new FaultScript<RecordedBedrockCall>(options);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const match = /^\/model\/([^/]+)\/invoke$/.exec(path);
    if (request.method !== "POST" || !match?.[1]) {
      sendError(
        response,
        { status: 404, type: "UnknownOperationException" },
        `No operation at ${request.method} ${path}`,
      );
      return;
    }
    const modelId = decodeURIComponent(match[1]);
    const family = familyOf(modelId);
    const body = parseJsonOrText(raw);
    const call: RecordedBedrockCall = {
      index: calls.length,
      method: request.method,
      path,
      modelId,
      body,
      texts: family ? textsOf(family, body) : [],
      headers: request.headers,
      fault: undefined,
      status: 0,
    };
    calls.push(call);
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;

    const shape = fault ? errorShapes[fault.kind] : undefined;
    if (fault && shape) {
      call.status = shape.status;
      const message =
        fault.kind === "validation" && fault.message
          ? fault.message
          : (errorMessages[shape.type] ?? shape.type);
      const extra =
        fault.kind === "model-error"
          ? { originalStatusCode: fault.originalStatusCode ?? 500, resourceName: modelId }
          : {};
      sendError(response, shape, message, extra);
      return;
    }
    if (!family) {
      call.status = 400;
      sendError(
        response,
        { status: 400, type: "ValidationException" },
        "The provided model identifier is invalid.",
      );
      return;
    }
    let answer: Answer;
    try {
      const object = record(body);
      answer =
        family === "nova"
          ? answerNova(object, fault)
          : family === "cohere-v3" || family === "cohere-v4"
            ? answerCohere(family, object, fault)
            : answerTitan(family, object, fault);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      call.status = 400;
      sendError(response, { status: 400, type: "ValidationException" }, error.message);
      return;
    }
    if (fault?.kind === "malformed-json") {
      call.status = 200;
      sendText(response, 200, '{"embedding": [0.012, -0.3');
      return;
    }
    if (fault?.kind === "connection-reset") {
      sendHalfThenReset(response, JSON.stringify(answer.body));
      return;
    }
    call.status = 200;
    sendJson(response, 200, answer.body, answer.headers);
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendError(
      response,
      { status: 500, type: "InternalServerException" },
      `Test server bug: ${String(error)}`,
    ),
  );
  return {
    url: server.url,
    calls,
    queueFaults: (...faults) => script.queue(...faults),
    close: server.close,
  };
}
