export {
  hubModelName,
  modelFolderName,
  mtebModelMeta,
  mtebResultFormatVersion,
  mtebVersionField,
} from "./mteb-model-meta.js";
export {
  formatTaskPredictions,
  parseTaskPredictions,
  predictionsDepth,
  readTaskPredictions,
  type TaskPredictions,
  taskPredictionsPath,
  topDocuments,
  writeTaskPredictions,
} from "./task-predictions.js";
export type * from "./task-result.js";
export { readResultsDirectory, taskResultPath, writeTaskResult } from "./task-result-files.js";
