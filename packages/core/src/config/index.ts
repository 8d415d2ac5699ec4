export { configJsonSchema, configSchema, type SchemaNode } from "./config-schema.js";
export type * from "./config-types.js";
export {
  defaultRuntimeSettings,
  loadConfig,
  parseConfig,
  toDropRule,
} from "./load-config.js";
export { type ConfigIssue, validateAgainstSchema } from "./validate-against-schema.js";
