/**
 * @embedeval/provider-sagemaker: SageMaker real-time endpoints (TEI, JumpStart, the Hugging Face
 * inference toolkit, or any JSON container) for embedeval. The default export is the ProviderPlugin.
 */
import { plugin } from "./sagemaker-plugin.js";

export type { ContainerFormat, ContainerFormatId } from "./container-format.js";
export { containerFormats, resolveContainerFormat } from "./container-format-registry.js";
export { meanPool } from "./mean-pool.js";
export { evaluateResponsePath, parseResponsePath } from "./response-path.js";
export {
  defaultBatchSize,
  maxRequestBytes,
  providerOptionNames,
  SagemakerEmbeddingProvider,
  type SagemakerProviderOverrides,
} from "./sagemaker-embedding-provider.js";
export { classifySagemakerError } from "./sagemaker-error.js";
export { createSagemakerProvider, plugin } from "./sagemaker-plugin.js";

export default plugin;
