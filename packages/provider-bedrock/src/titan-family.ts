/**
 * Amazon Titan Text Embeddings v1 and v2: one text per call.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
 */
import {
  binaryVector,
  numberVector,
  objectField,
  readBoolean,
  readChoice,
  UnexpectedResponseError,
} from "@embedeval/provider-contract";
import type { ConfiguredModelFamily, ModelFamily } from "./model-family.js";

function inputTokenCount(body: unknown): number | undefined {
  const count = objectField(body, "inputTextTokenCount");
  return typeof count === "number" && Number.isFinite(count) ? count : undefined;
}

function singleText(texts: readonly string[], modelName: string): string {
  const [text] = texts;
  if (texts.length !== 1 || text === undefined) {
    // The runtime sizes batches from capabilities.maxInputsPerCall; reaching this is a caller bug.
    throw new RangeError(`${modelName} embeds one text per call; got ${texts.length}.`);
  }
  return text;
}

export const titanTextV1Family: ModelFamily = {
  id: "titan-text-v1",
  displayName: "Titan Text Embeddings v1",
  modelIdPrefixes: ["amazon.titan-embed-text-v1", "amazon.titan-embed-g1-text-02"],
  optionNames: [],
  configure(): ConfiguredModelFamily {
    const dimensions = 1536;
    return {
      capabilities: {
        maxInputsPerCall: 1,
        maxTokensPerInput: 8192,
        dimensions,
        normalized: false,
        supportsParallelCalls: true,
      },
      vectorOptions: {},
      requestBody: (texts) => ({ inputText: singleText(texts, "Titan Text Embeddings v1") }),
      parseResponse(body) {
        return {
          embeddings: [numberVector(objectField(body, "embedding"), dimensions, "embedding")],
          tokens: inputTokenCount(body),
        };
      },
    };
  },
};

export const titanTextV2Family: ModelFamily = {
  id: "titan-text-v2",
  displayName: "Titan Text Embeddings v2",
  modelIdPrefixes: ["amazon.titan-embed-text-v2"],
  optionNames: ["dimensions", "normalize", "embeddingType"],
  configure(options): ConfiguredModelFamily {
    const name = "Titan Text Embeddings v2";
    const dimensions = readChoice(options, "dimensions", [256, 512, 1024] as const, name) ?? 1024;
    const normalize = readBoolean(options, "normalize") ?? true;
    // Binary vectors come back as one 0/1 value per dimension and are scored as 0/1 floats.
    const embeddingType = readChoice(options, "embeddingType", ["float", "binary"] as const, name) ?? "float";
    return {
      capabilities: {
        maxInputsPerCall: 1,
        maxCharactersPerInput: 50_000,
        maxTokensPerInput: 8192,
        dimensions,
        normalized: embeddingType === "float" && normalize,
        supportsParallelCalls: true,
      },
      vectorOptions: { dimensions, normalize, embeddingType },
      requestBody: (texts) => ({
        inputText: singleText(texts, name),
        dimensions,
        normalize,
        embeddingTypes: [embeddingType],
      }),
      parseResponse(body) {
        const byType = objectField(body, "embeddingsByType");
        const tokens = inputTokenCount(body);
        if (embeddingType === "binary") {
          const binary = objectField(byType, "binary");
          if (binary === undefined) {
            throw new UnexpectedResponseError(
              "embeddingsByType.binary is missing from the response.",
              "shape",
            );
          }
          return { embeddings: [binaryVector(binary, dimensions, "embeddingsByType.binary")], tokens };
        }
        // `embedding` is always the float vector; embeddingsByType.float is the same numbers.
        const vector = objectField(body, "embedding") ?? objectField(byType, "float");
        return { embeddings: [numberVector(vector, dimensions, "embedding")], tokens };
      },
    };
  },
};
