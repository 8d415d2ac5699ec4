// The public API of @embedeval/core. Each folder keeps its own index; add exports there, not here.
// The provider contract is re-exported so engine users need one import; plugins import
// @embedeval/provider-contract instead. Test support is under `@embedeval/core/testing`.

export * from "@embedeval/provider-contract";
export * from "./builtin-providers/index.js";
export * from "./compare/index.js";
export * from "./config/index.js";
export * from "./datasets/index.js";
export * from "./metrics/index.js";
export * from "./report/index.js";
export * from "./results/index.js";
export * from "./runtime/index.js";
export * from "./search/index.js";
export * from "./statistics/index.js";
export * from "./tasks/index.js";
export * from "./trec/index.js";
export { version } from "./version.js";
