// Exact k-nearest-neighbour search: the portable engine and the interface fast backends implement.
export type { ChunkOptions, DocumentChunk, DocumentSource } from "./document-source.js";
export { matrixDocumentSource } from "./document-source.js";
export type { ExactSearchOptions, SearchResult, SearchStatistics } from "./exact-search.js";
export { exactSearch } from "./exact-search.js";
export type { PortableKernel } from "./kernel-scorer.js";
export type { SearchBackend, SimilarityRequest } from "./search-backend.js";
export { float32DotErrorFactor } from "./search-backend.js";
export type { Similarity } from "./similarity.js";
export { dotProduct } from "./similarity-kernel.js";
export { tieRanksFromIds } from "./tie-rank.js";
export type { VectorFileSource } from "./vector-file.js";
export { openVectorFile, VectorFileWriter } from "./vector-file.js";
