export {
  documentText,
  type LoadBeirFolderOptions,
  loadBeirFolder,
  pythonStrip,
} from "./beir-folder-loader.js";
export type * from "./retrieval-dataset.js";
