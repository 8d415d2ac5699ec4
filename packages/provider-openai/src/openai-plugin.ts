/**
 * The OpenAI provider plugin: what config's `provider: openai` resolves to, for OpenAI, Azure OpenAI
 * and every OpenAI-compatible `/embeddings` server.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { knownModels } from "./known-models.js";
import { OpenAIEmbeddingProvider } from "./openai-embedding-provider.js";

/**
 * OpenAI's list prices in USD per million input tokens (check before relying on them; config's
 * `pricePerMillionTokens` overrides, e.g. for a self-hosted server, which costs machine time instead).
 * https://openai.com/api/pricing/
 */
export const pricesPerMillionTokens: Readonly<Record<string, number>> = Object.freeze({
  "text-embedding-3-small": 0.02,
  "text-embedding-3-large": 0.13,
  "text-embedding-ada-002": 0.1,
});

export function createOpenAIProvider(settings: ProviderSettings): OpenAIEmbeddingProvider {
  return new OpenAIEmbeddingProvider(settings);
}

export const plugin: ProviderPlugin = {
  specificationVersion: "v1",
  name: "openai",
  knownModels: Object.keys(knownModels),
  pricesPerMillionTokens,
  create: (settings) => createOpenAIProvider(settings),
};
