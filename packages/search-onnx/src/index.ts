// @embedeval/search-onnx: the fast path for @embedeval/core's exactSearch.
export type { OnnxSearchBackendOptions } from "./onnx-search-backend.js";
export { createOnnxSearchBackend } from "./onnx-search-backend.js";
export { buildSearchGraph, searchGraphNames } from "./search-graph.js";
