/**
 * What every task type declares, as MTEB's task metadata does: its main score, its metric keys in MTEB's
 * order, the prompt type of each text column, and the unit its per-item scores use (what the comparison
 * resamples for its confidence intervals; docs/task-types.md says why each type uses its unit).
 */

/** MTEB's task type names, as they appear in its metadata and its benchmark aggregates. */
export type MtebTaskType =
  | "Retrieval"
  | "Reranking"
  | "STS"
  | "PairClassification"
  | "Summarization"
  | "BitextMining"
  | "Classification"
  | "MultilabelClassification"
  | "Clustering";

/**
 * MTEB's prompt_type of a text: "query" and "document" get the model's query/document prefix and are
 * sent with that input type; null (symmetric tasks: STS, pair classification, classification,
 * clustering, summarization, bitext mining) gets no prefix, as MTEB's plain `encode` does, and is sent
 * with the provider's "document" input type, the one that embeds a text for itself.
 */
export type PromptType = "query" | "document" | null;

export interface TaskTypeDefinition {
  type: MtebTaskType;
  mainScore: string;
  metricKeys: readonly string[];
  /** Text column -> prompt type. */
  promptTypes: Readonly<Record<string, PromptType>>;
  /** What one per-item score is: a query, a pair, a text, an experiment, a sentence row. */
  perItemUnit: "query" | "pair" | "text" | "experiment" | "row";
}
