export {
  documentText,
  type LoadBeirFolderOptions,
  loadBeirFolder,
  pythonStrip,
} from "./beir-folder-loader.js";
export { hubRepositoryFolder } from "./hub-cache.js";
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
export type * from "./retrieval-dataset.js";
export {
  type LoadRetrievalFilesOptions,
  loadRetrievalFiles,
  type RetrievalFiles,
} from "./retrieval-files-loader.js";
export { readTaskRows, type TaskRow, type TaskRows } from "./task-rows.js";
