/**
 * @embedeval/provider-testkit/conformance: the provider contract as a vitest suite. Needs vitest
 * (a peer dependency); import it only from test files.
 */

export {
  awsFaultExpectations,
  awsRequestSecrets,
  checkAwsServiceError,
  lastRequestSignature,
  type RecordingServer,
} from "./aws-service-error-check.js";
export { describePluginConformance, type PluginConformanceOptions } from "./describe-plugin-conformance.js";
export {
  type ConformanceCheck,
  type ConformanceErrorCase,
  commonFaultExpectations,
  conformanceTexts,
  describeProviderConformance,
  type FaultExpectation,
  type FaultQueue,
  faultErrorCase,
  type ProviderConformanceOptions,
} from "./describe-provider-conformance.js";
