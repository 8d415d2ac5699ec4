export type * from "./run.js";
