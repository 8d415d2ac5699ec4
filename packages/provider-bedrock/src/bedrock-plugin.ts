/**
 * The Bedrock provider plugin: what config's `provider: bedrock` resolves to.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { BedrockEmbeddingProvider, type BedrockProviderOverrides } from "./bedrock-embedding-provider.js";
import { baseModelId, modelFamilies } from "./model-family-registry.js";

/**
 * Public on-demand list prices in USD per million input tokens (check before relying on them; config's
 * `pricePerMillionTokens` overrides). Nova Multimodal Embeddings is priced per modality and is not listed.
 * https://aws.amazon.com/bedrock/pricing/
 */
export const pricesPerMillionTokens: Readonly<Record<string, number>> = Object.freeze({
  "amazon.titan-embed-text-v1": 0.1,
  "amazon.titan-embed-text-v2:0": 0.02,
  "cohere.embed-english-v3": 0.1,
  "cohere.embed-multilingual-v3": 0.1,
  "cohere.embed-v4:0": 0.12,
});

/** The list price of a model id, inference-profile ids and version suffixes included, or undefined. */
export function listPricePerMillionTokens(modelId: string): number | undefined {
  const base = baseModelId(modelId);
  const exact = pricesPerMillionTokens[base];
  if (exact !== undefined) return exact;
  const key = Object.keys(pricesPerMillionTokens).find((candidate) =>
    base.startsWith(candidate.replace(/:\d+$/, "")),
  );
  return key === undefined ? undefined : pricesPerMillionTokens[key];
}

export function createBedrockProvider(
  settings: ProviderSettings,
  overrides: BedrockProviderOverrides = {},
): BedrockEmbeddingProvider {
  return new BedrockEmbeddingProvider(settings, overrides);
}

export const plugin: ProviderPlugin = {
  specificationVersion: "v1",
  name: "bedrock",
  knownModels: modelFamilies.flatMap((family) => family.modelIdPrefixes),
  pricesPerMillionTokens,
  create: (settings) => createBedrockProvider(settings),
};
