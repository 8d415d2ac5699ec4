/**
 * Test and benchmark helpers, published as `@embedeval/provider-sagemaker/testing` so other packages
 * can run against a local SageMaker endpoint.
 */
export { fakeEmbedding, fakeTokenCount, fakeTokens } from "./fake-embedding.js";
export type { Fault, FaultOptions } from "./fault-script.js";
export { FaultScript } from "./fault-script.js";
export type {
  ContainerFormat,
  FakeEndpoint,
  RecordedSagemakerCall,
  SagemakerServer,
  SagemakerServerOptions,
} from "./sagemaker-server.js";
export { startSagemakerServer } from "./sagemaker-server.js";
