/**
 * @embedeval/provider-openai: OpenAI (text-embedding-3-small/large, ada-002), Azure OpenAI and every
 * OpenAI-compatible `/embeddings` server (vLLM, TEI, Ollama, LM Studio, Together, Mistral, Fireworks, ...)
 * for embedeval. The default export is the ProviderPlugin.
 */
import { plugin } from "./openai-plugin.js";

export { decodeBase64Float32, decodeEmbedding } from "./decode-embedding.js";
export { type KnownModel, knownModel, knownModels, openAIRequestLimits } from "./known-models.js";
export { OpenAIEmbeddingProvider } from "./openai-embedding-provider.js";
export {
  classifyErrorResponse,
  classifyNetworkError,
  type ErrorBody,
  readErrorBody,
} from "./openai-error.js";
export { createOpenAIProvider, plugin, pricesPerMillionTokens } from "./openai-plugin.js";
export { parseResetDuration, retryAfterFromHeaders } from "./rate-limit-headers.js";
export {
  defaultAzureApiVersion,
  defaultBaseURL,
  type OpenAIOptions,
  optionNames,
  readOpenAIOptions,
} from "./read-openai-options.js";

export default plugin;
