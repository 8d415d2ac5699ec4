// Test support for this repository's packages and for plugin authors' tests: scripted providers, a virtual
// clock, search test data and result builders. Exported as `@embedeval/core/testing`, never from the root.
export * from "../datasets/fake-hugging-face-hub.js";
export * from "./scripted-embedding-provider.js";
export * from "./search-test-data.js";
export * from "./task-result-builder.js";
export * from "./virtual-clock.js";
