/**
 * Test and benchmark helpers, published as `@embedeval/provider-sagemaker/testing` so other packages
 * can run against a local SageMaker endpoint.
 */
// Re-exported from the testkit so existing imports of this entry keep working.
export {
  type Fault,
  type FaultOptions,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  fakeTokens,
} from "@embedeval/provider-testkit";
export type { ContainerFormatId } from "../container-format.js";
export type {
  FakeEndpoint,
  RecordedSagemakerCall,
  SagemakerServer,
  SagemakerServerOptions,
} from "./sagemaker-server.js";
export { startSagemakerServer } from "./sagemaker-server.js";
