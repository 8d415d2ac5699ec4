export { documentText, type LoadBeirFolderOptions, loadBeirFolder } from "./beir-folder-loader.js";
export type * from "./retrieval-dataset.js";
