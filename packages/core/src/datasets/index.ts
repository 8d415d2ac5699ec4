export {
  documentText,
  type LoadBeirFolderOptions,
  loadBeirFolder,
  pythonStrip,
} from "./beir-folder-loader.js";
export type { CorpusSnapshotOptions } from "./corpus-snapshot.js";
export {
  checkRevision,
  checkSplit,
  type HubRepositoryType,
  hubRepositoryFolder,
  revisionPattern,
  splitPattern,
} from "./hub-cache.js";
export {
  downloadHubDataset,
  type HubDataset,
  type HubDatasetDownloadOptions,
  type LoadHubDatasetOptions,
  loadHubDataset,
} from "./hub-dataset-download.js";
export type { HubSplitFiles } from "./hub-dataset-layout.js";
export {
  defaultHubEndpoint,
  type HubEnvironment,
  hubCacheDirectory,
  readHubEnvironment,
} from "./hub-environment.js";
export { hubFileUrl } from "./hub-file-download.js";
export {
  downloadHubModelFiles,
  type HubModelFiles,
  type HubModelFilesOptions,
} from "./hub-model-download.js";
export { downloadHubTaskFiles, type HubTaskFiles, type HubTaskFilesOptions } from "./hub-task-files.js";
export type * from "./retrieval-dataset.js";
export {
  type LoadRetrievalFilesOptions,
  loadRetrievalFiles,
  type RetrievalFiles,
} from "./retrieval-files-loader.js";
export { readTaskRows, type TaskRow, type TaskRows } from "./task-rows.js";
