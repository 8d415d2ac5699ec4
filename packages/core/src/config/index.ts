export type * from "./config-types.js";
