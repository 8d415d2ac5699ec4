export type * from "./task-result.js";
