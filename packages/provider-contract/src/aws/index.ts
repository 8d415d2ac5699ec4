// @embedeval/provider-contract/aws: what every AWS plugin shares, without importing any AWS SDK client.

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
