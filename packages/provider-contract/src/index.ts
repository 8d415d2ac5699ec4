// @embedeval/provider-contract: everything a provider plugin needs and nothing of the engine.
// A plugin depends on this package alone; @embedeval/core depends on it and re-exports the types.

export { abortReason } from "./abort-reason.js";
export {
  checkProviderInstance,
  checkProviderPlugin,
  checkProviderPluginModule,
  type PluginProblem,
  type ProviderPluginCheck,
} from "./check-provider-plugin.js";
export { closestMatch, editDistance } from "./closest-match.js";
export * from "./embedding-provider.js";
export * from "./errors.js";
export { estimateTokens } from "./estimate-tokens.js";
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
