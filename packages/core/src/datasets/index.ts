export type * from "./retrieval-dataset.js";
