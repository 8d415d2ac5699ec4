/**
 * Test and benchmark helpers, published as `@embedeval/provider-bedrock/testing` so other packages
 * (the runtime's integration tests, benchmarks) can run against a local Bedrock.
 */

// Re-exported from the testkit so existing imports of this entry keep working.
export {
  type Fault,
  type FaultOptions,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  fakeTokens,
  packSignBits,
  quantizeInt8,
} from "@embedeval/provider-testkit";
export {
  type BatchJobScript,
  type BedrockBatchServer,
  type BedrockBatchServerOptions,
  type RecordedBatchJob,
  startBedrockBatchServer,
} from "./bedrock-batch-server.js";
export type { BedrockServer, BedrockServerOptions, RecordedBedrockCall } from "./bedrock-server.js";
export { invokeModelOutput, startBedrockServer } from "./bedrock-server.js";
export { type RecordedS3Request, type S3Server, type S3ServerOptions, startS3Server } from "./s3-server.js";
