export {
  documentText,
  type LoadBeirFolderOptions,
  loadBeirFolder,
  pythonStrip,
} from "./beir-folder-loader.js";
export {
  defaultHubEndpoint,
  downloadHubDataset,
  type HubDatasetDownloadOptions,
  type HubDatasetFolder,
  hubDatasetFolder,
  hubFileUrl,
} from "./hub-dataset-download.js";
export type * from "./retrieval-dataset.js";
