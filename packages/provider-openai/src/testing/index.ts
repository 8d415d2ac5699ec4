/**
 * Test and benchmark helpers, published as `@embedeval/provider-openai/testing`: a local server that
 * speaks the OpenAI (and Azure OpenAI) embeddings wire format with fault injection. Needs
 * @embedeval/provider-testkit (an optional peer dependency).
 */
export {
  defaultServedModels,
  type OpenAIServer,
  type OpenAIServerOptions,
  type RecordedOpenAICall,
  type RetryAfterHeader,
  type ServedModel,
  startOpenAIServer,
} from "./openai-server.js";
