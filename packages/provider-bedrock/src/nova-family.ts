/**
 * Amazon Nova Multimodal Embeddings, text input: one text per call, a purpose that tells queries
 * (GENERIC_RETRIEVAL) from documents (GENERIC_INDEX). The response carries no token count, so
 * usage is estimated.
 * https://docs.aws.amazon.com/nova/latest/userguide/embeddings-schema.html
 */
import {
  type InputType,
  numberVector,
  objectField,
  readChoice,
  UnexpectedResponseError,
  vectorList,
} from "@embedeval/provider-contract";
import type { ConfiguredModelFamily, ModelFamily } from "./model-family.js";

export const novaMultimodalFamily: ModelFamily = {
  id: "nova-multimodal-v2",
  displayName: "Nova Multimodal Embeddings",
  modelIdPrefixes: ["amazon.nova-2-multimodal-embeddings-v1"],
  optionNames: ["dimensions", "truncate", "queryPurpose"],
  configure(options): ConfiguredModelFamily {
    const name = "Nova Multimodal Embeddings";
    const dimensions = readChoice(options, "dimensions", [256, 384, 1024, 3072] as const, name) ?? 3072;
    const truncate = readChoice(options, "truncate", ["START", "END", "NONE"] as const, name) ?? "END";
    // TEXT_RETRIEVAL narrows a query to text documents; GENERIC_RETRIEVAL is the documented default.
    const queryPurpose =
      readChoice(options, "queryPurpose", ["GENERIC_RETRIEVAL", "TEXT_RETRIEVAL"] as const, name) ??
      "GENERIC_RETRIEVAL";
    const purposes: Record<InputType, string> = { query: queryPurpose, document: "GENERIC_INDEX" };
    return {
      capabilities: {
        maxInputsPerCall: 1,
        dimensions,
        // Not documented as unit length; the scorer normalises for cosine anyway.
        normalized: false,
        supportsParallelCalls: true,
      },
      vectorOptions: { dimensions, truncate, queryPurpose },
      requestBody(texts, inputType) {
        const [text] = texts;
        if (texts.length !== 1 || text === undefined) {
          throw new RangeError(`${name} embeds one text per call; got ${texts.length}.`);
        }
        return {
          schemaVersion: "nova-multimodal-embed-v1",
          taskType: "SINGLE_EMBEDDING",
          singleEmbeddingParams: {
            embeddingPurpose: purposes[inputType],
            embeddingDimension: dimensions,
            text: { truncationMode: truncate, value: text },
          },
        };
      },
      parseResponse(body) {
        const [first] = vectorList(objectField(body, "embeddings"), 1, "embeddings");
        const vector = objectField(first, "embedding");
        if (vector === undefined)
          throw new UnexpectedResponseError("embeddings[0].embedding is missing.", "shape");
        return { embeddings: [numberVector(vector, dimensions, "embeddings[0].embedding")] };
      },
    };
  },
};
