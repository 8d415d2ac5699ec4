import { type Fault, fakeEmbedding, fakeTokenCount } from "@embedeval/provider-testkit";
import { openAIError, Rejection } from "./openai-error-answer.js";
import type { OpenAIServerOptions, ServedModel } from "./openai-server-options.js";

function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString("base64");
}

const openAIFields = ["model", "input", "encoding_format", "dimensions", "user"];

export interface Answer {
  body: Record<string, unknown>;
  tokens: number;
}

export function answerEmbeddings(
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

export function textsOf(body: unknown): string[] {
  const input = (body as { input?: unknown } | null)?.input;
  if (typeof input === "string") return [input];
  return Array.isArray(input) ? input.filter((text): text is string => typeof text === "string") : [];
}
