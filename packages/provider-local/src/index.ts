/**
 * @embedeval/provider-local: Hugging Face sentence-transformers models on the CPU, in-process on
 * onnxruntime-node, with the vectors sentence-transformers gives. The default export is the ProviderPlugin.
 */
import { plugin } from "./local-plugin.js";

export {
  LocalEmbeddingProvider,
  type LocalModelSettings,
  localOptionNames,
  resolveLocalModelSettings,
  type WeightType,
  weightFiles,
} from "./local-embedding-provider.js";
export { createLocalProvider, plugin } from "./local-plugin.js";
export { hubCacheDirectory, isModelPath, type ModelFolder, resolveModelFolder } from "./model-folder.js";
export { normalizeVector, poolTokenEmbeddings, type TokenEmbeddingBatch } from "./pool-token-embeddings.js";
export { prepareText, pythonStrip, SentenceTokenizer, type TokenizedText } from "./sentence-tokenizer.js";
export {
  type PoolingMode,
  poolingModes,
  readSentenceTransformersConfig,
  type SentenceTransformersConfig,
} from "./sentence-transformers-config.js";

export default plugin;
