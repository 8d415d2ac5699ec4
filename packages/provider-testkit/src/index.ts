/**
 * @embedeval/provider-testkit: what a provider plugin's tests need besides the plugin itself.
 * This entry has no test-runner dependency (benchmarks and plugins' `./testing` entries use it):
 * fault scripts, deterministic fake embeddings and the plumbing of a local HTTP server that speaks
 * a provider's wire format. The vitest conformance suite is `@embedeval/provider-testkit/conformance`.
 */
export {
  type FakeEmbeddingOptions,
  fakeEmbedding,
  fakeTokenCount,
  fakeTokens,
  packSignBits,
  quantizeInt8,
} from "./fake-embedding.js";
export { type Fault, type FaultOptions, FaultScript, sleep } from "./fault-script.js";
export {
  type AwsErrorAnswer,
  type FaultInjectingServer,
  type LocalServer,
  parseJsonOrText,
  type RecordedEmbeddingCall,
  type RequestHandler,
  readBody,
  sendAwsError,
  sendHalfThenReset,
  sendJson,
  sendText,
  startLocalServer,
  waitForLatency,
  waitUnlessClosed,
} from "./local-server.js";
