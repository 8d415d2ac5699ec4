/**
 * Turning the JSON vectors a provider returned into Float32Arrays, checking them on the way: a vector
 * of the wrong length or with a non-number in it must stop the run, never reach the scorer.
 * Exported from @embedeval/core for every plugin that parses a JSON response.
 */
import { ProviderError } from "./errors.js";
import { redactSecrets } from "./redact-secrets.js";

/**
 * The 200 body did not have the shape the provider's documentation promises. A plugin catches it and
 * throws a ProviderError (not retryable: a well-formed answer of the wrong shape repeats on every call).
 */
export class UnexpectedResponseError extends Error {
  constructor(
    message: string,
    readonly reason: "malformed-json" | "shape" | "dimension",
  ) {
    super(message);
    this.name = "UnexpectedResponseError";
  }
}

export function objectField(value: unknown, field: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[field];
}

/** A float (or int8/uint8) vector of exactly `dimensions` finite numbers. */
export function numberVector(value: unknown, dimensions: number | undefined, where: string): Float32Array {
  if (!Array.isArray(value))
    throw new UnexpectedResponseError(`${where} is not an array of numbers.`, "shape");
  if (dimensions !== undefined && value.length !== dimensions) {
    throw new UnexpectedResponseError(
      `${where} has ${value.length} dimensions; expected ${dimensions}.`,
      "dimension",
    );
  }
  const vector = new Float32Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const element = value[index];
    if (typeof element !== "number" || !Number.isFinite(element)) {
      throw new UnexpectedResponseError(
        `${where}[${index}] is ${JSON.stringify(element)}, not a finite number.`,
        "shape",
      );
    }
    vector[index] = element;
  }
  return vector;
}

/**
 * Bits packed eight to a byte, most significant first (numpy.packbits order, what Cohere's `binary`
 * and `ubinary` types return), unpacked to one 0/1 float per dimension so the usual cosine/dot
 * scorer can rank them. Signed (`binary`, -128..127) and unsigned (`ubinary`, 0..255) bytes both work.
 */
export function unpackBits(value: unknown, dimensions: number, where: string): Float32Array {
  const bytes = numberVector(value, dimensions / 8, where);
  const vector = new Float32Array(dimensions);
  for (let byteIndex = 0; byteIndex < bytes.length; byteIndex++) {
    const byte = (bytes[byteIndex] ?? 0) & 0xff;
    for (let bit = 0; bit < 8; bit++) vector[byteIndex * 8 + bit] = (byte >> (7 - bit)) & 1;
  }
  return vector;
}

/**
 * A binary vector in either layout: one 0/1 value per dimension (Titan v2 documents `[int, ...]`),
 * or packed bytes (dimensions / 8 values).
 */
export function binaryVector(value: unknown, dimensions: number, where: string): Float32Array {
  if (Array.isArray(value) && value.length === dimensions) {
    const vector = numberVector(value, dimensions, where);
    for (const element of vector) {
      if (element !== 0 && element !== 1) {
        throw new UnexpectedResponseError(
          `${where} has a value ${element}; a binary embedding holds 0 and 1.`,
          "shape",
        );
      }
    }
    return vector;
  }
  return unpackBits(value, dimensions, where);
}

/** A list of exactly `count` vectors. */
export function vectorList(value: unknown, count: number, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UnexpectedResponseError(`${where} is missing or not a list.`, "shape");
  if (value.length !== count) {
    throw new UnexpectedResponseError(
      `${where} has ${value.length} vectors for ${count} input texts.`,
      "shape",
    );
  }
  return value;
}

/**
 * Every vector the same length: the configured `dimensions` when given, otherwise the first vector's.
 * Vectors of mixed lengths in one answer mean the endpoint is not what the config says it is.
 */
export function checkDimensions(vectors: readonly Float32Array[], dimensions: number | undefined): void {
  const expected = dimensions ?? vectors[0]?.length;
  vectors.forEach((vector, index) => {
    if (vector.length !== expected) {
      throw new UnexpectedResponseError(
        `vector ${index} has ${vector.length} dimensions; expected ${expected}.`,
        "dimension",
      );
    }
  });
}

export interface ResponseContext {
  /** The provider name as in config. */
  provider: string;
  /** What was called, for the message: `endpoint my-endpoint`. */
  target: string;
  requestId?: string;
  /** Credential values to mask if the body ever echoes them. */
  secrets?: readonly string[];
}

/**
 * A 200 body parsed as JSON. When it is not JSON the ProviderError is retryable: a truncated or
 * garbled response is a transport or service hiccup, not a property of the input, and the runtime's
 * retry cap bounds the cost of being wrong.
 */
export function parseJsonResponse(text: string, context: ResponseContext): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const start = JSON.stringify(redactSecrets(text.slice(0, 60), context.secrets));
    throw new ProviderError(
      `${context.provider} ${context.target}: the response body is not valid JSON (${text.length} bytes, starting ${start}).`,
      {
        provider: context.provider,
        retryable: true,
        providerCode: "MalformedResponse",
        status: 200,
        requestId: context.requestId,
      },
    );
  }
}

export interface UnexpectedResponseHints {
  /** Appended to "unexpected response", e.g. ` for format "tei"`. */
  about?: string;
  /** How to fix vectors of the wrong size. */
  dimension: string;
  /** How to fix a body of the wrong shape. */
  shape?: string;
}

/**
 * Runs `parse` on a 200 body. Its UnexpectedResponseError becomes a ProviderError that is not
 * retryable: a well-formed answer of the wrong shape or dimension repeats on every call (a model or
 * option mismatch), and its vectors must never reach the scorer.
 */
export function parseResponseVectors<T>(
  context: ResponseContext,
  hints: UnexpectedResponseHints,
  parse: () => T,
): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UnexpectedResponseError)) throw error;
    const isDimension = error.reason === "dimension";
    throw new ProviderError(
      `${context.provider} ${context.target}: unexpected response${hints.about ?? ""}: ${error.message}`,
      {
        provider: context.provider,
        retryable: false,
        providerCode: isDimension ? "WrongDimension" : "UnexpectedResponse",
        status: 200,
        requestId: context.requestId,
        hint: isDimension ? hints.dimension : hints.shape,
      },
    );
  }
}
