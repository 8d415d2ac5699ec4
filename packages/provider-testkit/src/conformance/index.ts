/**
 * @embedeval/provider-testkit/conformance: the provider contract as a vitest suite. Needs vitest
 * (a peer dependency); import it only from test files.
 */
export {
  type ConformanceCheck,
  type ConformanceErrorCase,
  conformanceTexts,
  describeProviderConformance,
  type ProviderConformanceOptions,
} from "./describe-provider-conformance.js";
