/**
 * Cohere Embed v3 (English, multilingual) and v4 on Bedrock: up to 96 texts per call, an
 * `input_type` that tells queries from documents, several output types. No token count in the body:
 * Bedrock sends it in the `x-amzn-bedrock-input-token-count` response header.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v4.html
 */
import {
  type InputType,
  numberVector,
  objectField,
  type PluginOptions,
  readChoice,
  readPositiveInteger,
  UnexpectedResponseError,
  unpackBits,
  vectorList,
} from "@embedeval/provider-contract";
import type { CharacterCut } from "./cut-to-length.js";
import type { ConfiguredModelFamily, ModelFamily } from "./model-family.js";

const embeddingTypes = ["float", "int8", "uint8", "binary", "ubinary"] as const;
type CohereEmbeddingType = (typeof embeddingTypes)[number];

const inputTypes: Record<InputType, string> = { query: "search_query", document: "search_document" };

const characterCuts: Record<string, CharacterCut | undefined> = {
  END: "keep-start",
  RIGHT: "keep-start",
  START: "keep-end",
  LEFT: "keep-end",
  NONE: undefined,
};

interface CohereSettings {
  dimensions: number;
  embeddingType: CohereEmbeddingType;
  truncate: string;
  maxCharactersPerInput: number | undefined;
  maxTokensPerInput: number | undefined;
  extraBody: Record<string, unknown>;
  extraVectorOptions: Record<string, unknown>;
}

function configureCohere(settings: CohereSettings): ConfiguredModelFamily {
  const { dimensions, embeddingType, truncate } = settings;
  return {
    capabilities: {
      maxInputsPerCall: 96,
      maxCharactersPerInput: settings.maxCharactersPerInput,
      maxTokensPerInput: settings.maxTokensPerInput,
      dimensions,
      // Cohere's float embeddings are unit length; quantised ones are not.
      normalized: embeddingType === "float",
      supportsParallelCalls: true,
    },
    vectorOptions: { embeddingType, truncate, ...settings.extraVectorOptions },
    ...(settings.maxCharactersPerInput === undefined || characterCuts[truncate] === undefined
      ? {}
      : { characterCut: characterCuts[truncate] }),
    requestBody: (texts, inputType) => ({
      texts: [...texts],
      input_type: inputTypes[inputType],
      truncate,
      embedding_types: [embeddingType],
      ...settings.extraBody,
    }),
    parseResponse(body, texts) {
      const embeddings = objectField(body, "embeddings");
      // Without embedding_types the answer is `embeddings_floats` (a bare list); with them,
      // `embeddings_by_type` (an object keyed by type). Accept both so either request works.
      const list = Array.isArray(embeddings) ? embeddings : objectField(embeddings, embeddingType);
      if (list === undefined) {
        throw new UnexpectedResponseError(
          `embeddings.${embeddingType} is missing from the response.`,
          "shape",
        );
      }
      const vectors = vectorList(list, texts.length, `embeddings.${embeddingType}`);
      return {
        embeddings: vectors.map((vector, index) =>
          embeddingType === "binary" || embeddingType === "ubinary"
            ? unpackBits(vector, dimensions, `embeddings.${embeddingType}[${index}]`)
            : numberVector(vector, dimensions, `embeddings.${embeddingType}[${index}]`),
        ),
      };
    },
  };
}

export const cohereEmbedV3Family: ModelFamily = {
  id: "cohere-embed-v3",
  displayName: "Cohere Embed v3",
  modelIdPrefixes: ["cohere.embed-english-v3", "cohere.embed-multilingual-v3"],
  optionNames: ["truncate", "embeddingType"],
  configure(options: PluginOptions): ConfiguredModelFamily {
    const name = "Cohere Embed v3";
    return configureCohere({
      dimensions: 1024,
      embeddingType: readChoice(options, "embeddingType", embeddingTypes, name) ?? "float",
      // END rather than the service's NONE: an evaluation should score a long document by its
      // beginning, the way MTEB truncates, instead of failing the whole run on it.
      truncate: readChoice(options, "truncate", ["NONE", "START", "END"] as const, name) ?? "END",
      maxCharactersPerInput: 2048,
      maxTokensPerInput: 512,
      extraBody: {},
      extraVectorOptions: {},
    });
  },
};

export const cohereEmbedV4Family: ModelFamily = {
  id: "cohere-embed-v4",
  displayName: "Cohere Embed v4",
  modelIdPrefixes: ["cohere.embed-v4"],
  optionNames: ["dimensions", "truncate", "embeddingType", "maxTokens"],
  configure(options: PluginOptions): ConfiguredModelFamily {
    const name = "Cohere Embed v4";
    const dimensions = readChoice(options, "dimensions", [256, 512, 1024, 1536] as const, name) ?? 1536;
    const maxTokens = readPositiveInteger(options, "maxTokens");
    return configureCohere({
      dimensions,
      embeddingType: readChoice(options, "embeddingType", embeddingTypes, name) ?? "float",
      truncate: readChoice(options, "truncate", ["NONE", "LEFT", "RIGHT"] as const, name) ?? "RIGHT",
      maxCharactersPerInput: undefined,
      maxTokensPerInput: 128_000,
      extraBody: {
        output_dimension: dimensions,
        ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      },
      extraVectorOptions: { dimensions, ...(maxTokens === undefined ? {} : { maxTokens }) },
    });
  },
};
