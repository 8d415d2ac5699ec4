/**
 * Test and benchmark helpers, published as `@embedeval/provider-bedrock/testing` so other packages
 * (the runtime's integration tests, benchmarks) can run against a local Bedrock.
 */

export type { BedrockServer, BedrockServerOptions, RecordedBedrockCall } from "./bedrock-server.js";
export { startBedrockServer } from "./bedrock-server.js";
export { fakeEmbedding, fakeTokenCount, fakeTokens, packSignBits, quantizeInt8 } from "./fake-embedding.js";
export type { Fault, FaultOptions } from "./fault-script.js";
export { FaultScript } from "./fault-script.js";
