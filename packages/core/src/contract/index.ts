export * from "./embedding-provider.js";
export * from "./errors.js";
