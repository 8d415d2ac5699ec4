// Providers that ship with core and need no package: BM25, hashed TF-IDF and precomputed vectors.
import type { ProviderPlugin } from "@embedeval/provider-contract";
import { bm25Provider } from "./bm25-retriever.js";
import { tfidfProvider } from "./hashed-tfidf-provider.js";
import { precomputedProvider } from "./precomputed-provider.js";

export { type Bm25Options, Bm25Retriever, bm25Provider, createBm25Retriever } from "./bm25-retriever.js";
export {
  createHashedTfidfProvider,
  type HashedTfidfOptions,
  HashedTfidfProvider,
  tfidfProvider,
} from "./hashed-tfidf-provider.js";
export {
  createPrecomputedProvider,
  PrecomputedProvider,
  precomputedProvider,
} from "./precomputed-provider.js";
export {
  builtinProviderNames,
  coreProviderNames,
  type FirstPartyPluginName,
  firstPartyPluginNames,
  isPluginPath,
} from "./provider-names.js";

/** The providers that ship with core and need no package: resolved by name from config. */
export const builtinProviders: ProviderPlugin[] = [tfidfProvider, bm25Provider, precomputedProvider];
