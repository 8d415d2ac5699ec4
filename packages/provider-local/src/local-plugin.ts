/**
 * The local provider plugin: what config's `provider: local` resolves to.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { LocalEmbeddingProvider } from "./local-embedding-provider.js";

/** Loads the model's files and its ONNX session; the promise settles when the model is ready to embed. */
export function createLocalProvider(settings: ProviderSettings): Promise<LocalEmbeddingProvider> {
  return LocalEmbeddingProvider.create(settings);
}

export const plugin: ProviderPlugin = {
  specificationVersion: "v1",
  name: "local",
  create: (settings) => createLocalProvider(settings),
};
