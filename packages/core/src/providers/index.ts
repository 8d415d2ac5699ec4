import type { ProviderPlugin } from "../contract/embedding-provider.js";
import { bm25Provider } from "./bm25-retriever.js";
import { tfidfProvider } from "./hashed-tfidf-provider.js";
import { precomputedProvider } from "./precomputed-provider.js";

export { abortReason } from "./abort-reason.js";
export {
  type AwsClientSettings,
  type AwsServiceNaming,
  awsRegion,
  readAwsClientSettings,
} from "./aws-client-settings.js";
export {
  type AwsErrorClassification,
  type AwsErrorContext,
  type AwsErrorShape,
  awsErrorShape,
  classifyAwsError,
  isAwsServiceError,
  retryAfterMs,
} from "./aws-service-error.js";
export { type Bm25Options, Bm25Retriever, bm25Provider, createBm25Retriever } from "./bm25-retriever.js";
export { fnv1a32 } from "./fnv1a-hash.js";
export {
  createHashedTfidfProvider,
  type HashedTfidfOptions,
  HashedTfidfProvider,
  type InverseDocumentFrequencies,
  readDocumentFrequencies,
  tfidfProvider,
} from "./hashed-tfidf-provider.js";
export { type NpyMatrix, parseNpy } from "./npy-reader.js";
export {
  type PluginOptions,
  ProviderOptions,
  readBoolean,
  readChoice,
  readNumber,
  readPositiveInteger,
  readString,
  rejectUnknownOptions,
} from "./plugin-options.js";
export { porterStem } from "./porter-stemmer.js";
export {
  createPrecomputedProvider,
  PrecomputedProvider,
  precomputedProvider,
} from "./precomputed-provider.js";
export { redactSecrets } from "./redact-secrets.js";
export {
  binaryVector,
  checkDimensions,
  numberVector,
  objectField,
  parseJsonResponse,
  parseResponseVectors,
  type ResponseContext,
  UnexpectedResponseError,
  type UnexpectedResponseHints,
  unpackBits,
  vectorList,
} from "./response-vectors.js";
export {
  type AnalyzedText,
  analyzeText,
  englishStopwords,
  type TextAnalyzerOptions,
} from "./text-analyzer.js";

/** The providers that ship with core and need no package: resolved by name from config. */
export const builtinProviders: ProviderPlugin[] = [tfidfProvider, bm25Provider, precomputedProvider];
