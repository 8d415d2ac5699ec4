/** How a query and a document are compared: cosine (unit-length vectors, then dot, as MTEB does) or the raw dot product. */
export type Similarity = "cosine" | "dot";
