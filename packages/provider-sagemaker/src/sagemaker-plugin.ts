/**
 * The SageMaker provider plugin: what config's `provider: sagemaker` resolves to. The config's
 * `model` is the endpoint name unless `options.endpointName` is given.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import {
  SagemakerEmbeddingProvider,
  type SagemakerProviderOverrides,
} from "./sagemaker-embedding-provider.js";

export function createSagemakerProvider(
  settings: ProviderSettings,
  overrides: SagemakerProviderOverrides = {},
): SagemakerEmbeddingProvider {
  return new SagemakerEmbeddingProvider(settings, overrides);
}

/** SageMaker bills instance hours, not tokens, so the plugin lists no per-token prices. */
export const plugin: ProviderPlugin = {
  specificationVersion: "v1",
  name: "sagemaker",
  create: (settings) => createSagemakerProvider(settings),
};
