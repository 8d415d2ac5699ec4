import type { RuntimeSettings } from "../runtime/runtime-settings.js";
import type { Similarity } from "../search/similarity.js";

/** What a task needs to know of the model it evaluates; the config's ModelConfig adds the plugin's options. */
export interface EvaluatedModel {
  /** Unique in the config; names the results folder and the comment rows. */
  id: string;
  /** A built-in provider name (see builtin-providers/provider-names.ts), an npm package name or a path. */
  provider: string;
  model: string;
  similarity: Similarity;
  /** Prepended to every query / document text before embedding (E5's "query: ", BGE's instruction). */
  queryPrefix: string;
  documentPrefix: string;
  /** MTEB results layout revision folder. */
  revision: string;
  /**
   * The model's Hugging Face hub name (`BAAI/bge-base-en-v1.5`) when its provider model id is one and no
   * other model in the config has the same; it names the MTEB results folder (`BAAI__bge-base-en-v1.5`).
   */
  hubName?: string;
  runtime: RuntimeSettings;
  /** USD per million input tokens; overrides the built-in list price. */
  pricePerMillionTokens?: number;
}
