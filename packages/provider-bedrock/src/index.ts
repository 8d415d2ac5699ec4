/**
 * @embedeval/provider-bedrock: Amazon Bedrock embedding models (Titan text v1/v2, Cohere Embed v3/v4,
 * Nova Multimodal Embeddings) for embedeval. The default export is the ProviderPlugin.
 */
import { plugin } from "./bedrock-plugin.js";

export {
  BedrockEmbeddingProvider,
  type BedrockProviderOverrides,
  providerOptionNames,
} from "./bedrock-embedding-provider.js";
export { classifyBedrockError } from "./bedrock-error.js";
export {
  createBedrockProvider,
  listPricePerMillionTokens,
  plugin,
  pricesPerMillionTokens,
} from "./bedrock-plugin.js";
export type { ModelFamily, ModelFamilyId } from "./model-family.js";
export { baseModelId, modelFamilies, resolveModelFamily } from "./model-family-registry.js";

export default plugin;
