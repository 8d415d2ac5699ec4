export type * from "./task-result.js";
export { readResultsDirectory, taskResultPath, writeTaskResult } from "./task-result-files.js";
