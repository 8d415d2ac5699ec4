/**
 * @acme/embedeval-provider-acme: the default export is the ProviderPlugin embedeval loads when a
 * config names this package as a model's `provider`.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { AcmeEmbeddingProvider } from "./acme-embedding-provider.js";

export { AcmeEmbeddingProvider, acmeOptionNames } from "./acme-embedding-provider.js";

export function createAcmeProvider(settings: ProviderSettings): AcmeEmbeddingProvider {
  return new AcmeEmbeddingProvider(settings);
}

export const plugin: ProviderPlugin = {
  specificationVersion: "v1",
  name: "acme",
  knownModels: ["acme-embed-1"],
  create: createAcmeProvider,
};

export default plugin;
