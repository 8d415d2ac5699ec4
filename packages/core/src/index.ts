// The public API of @embedeval/core. Each area keeps its own index; add exports there, not here.

export * from "./compare/index.js";
export * from "./config/index.js";
export * from "./contract/index.js";
export * from "./datasets/index.js";
export * from "./metrics/index.js";
export * from "./providers/index.js";
export * from "./report/index.js";
export * from "./results/index.js";
export * from "./runtime/index.js";
export * from "./search/index.js";
export * from "./tasks/index.js";
export { version } from "./version.js";
