/**
 * OpenAI's embedding models and the limits of OpenAI's (and Azure OpenAI's) `/embeddings` API.
 * https://platform.openai.com/docs/guides/embeddings and the API reference's `input` field: at most
 * 2,048 inputs per request, 300,000 tokens summed over the inputs of one request, and 8,191 tokens per
 * input for every embedding model. An OpenAI-compatible server serving another model has its own limits;
 * the options `maxInputsPerRequest`, `maxTokensPerRequest` and `maxTokensPerInput` state them.
 */

export interface KnownModel {
  /** Vector size when `dimensions` is not sent. */
  defaultDimensions: number;
  /** Whether the model takes `dimensions` (Matryoshka shortening); the v3 models do, ada-002 does not. */
  acceptsDimensions: boolean;
}

export const knownModels: Readonly<Record<string, KnownModel>> = Object.freeze({
  "text-embedding-3-small": { defaultDimensions: 1536, acceptsDimensions: true },
  "text-embedding-3-large": { defaultDimensions: 3072, acceptsDimensions: true },
  "text-embedding-ada-002": { defaultDimensions: 1536, acceptsDimensions: false },
});

/** The limits of OpenAI's API for every embedding model; Azure OpenAI enforces the same. */
export const openAIRequestLimits = Object.freeze({
  maxInputsPerRequest: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8191,
});

export function knownModel(modelId: string): KnownModel | undefined {
  return knownModels[modelId];
}
