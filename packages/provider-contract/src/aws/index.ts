// @embedeval/provider-contract/aws: what every AWS plugin shares, without importing any AWS SDK client.

export {
  type AwsClientSettings,
  type AwsServiceNaming,
  awsRegion,
  readAwsClientSettings,
} from "./aws-client-settings.js";
export {
  type AwsClientSource,
  type AwsCommandOutput,
  type AwsEmbeddingCall,
  AwsEmbeddingInvoker,
  type AwsEmbeddingInvokerOptions,
  type AwsSdkClient,
  encodeJsonBody,
  type ParsedEmbeddingResponse,
} from "./aws-embedding-invoker.js";
export {
  type AwsCallContext,
  type AwsErrorClassification,
  type AwsErrorContext,
  type AwsErrorShape,
  awsErrorShape,
  classifyAwsError,
  isAwsServiceError,
  retryAfterMs,
} from "./aws-service-error.js";
