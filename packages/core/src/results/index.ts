export {
  hubModelName,
  modelFolderName,
  mtebModelMeta,
  mtebResultFormatVersion,
  mtebVersionField,
} from "./mteb-model-meta.js";
export type * from "./task-result.js";
export { readResultsDirectory, taskResultPath, writeTaskResult } from "./task-result-files.js";
