/** The validated shape of `embedeval.yml`. The loader turns YAML into this, or a ConfigError. */

export type Similarity = "cosine" | "dot";

export interface RuntimeSettings {
  /** Calls in flight at once for this model. */
  maxConcurrency: number;
  /** Upper bound on calls per minute; the runtime slows further when throttled. Undefined: no limit. */
  requestsPerMinute?: number;
  /** Per-call timeout in seconds. */
  timeoutSeconds: number;
  /** Attempts after the first for retryable errors. */
  maxRetries: number;
  /** Texts per call; defaults to the provider's maxInputsPerCall. */
  batchSize?: number;
}

export interface ModelConfig {
  /** Unique in the config; names the results folder and the comment rows. */
  id: string;
  /** Built-in ("tfidf", "bm25", "precomputed", "bedrock", "sagemaker", "openai") or an npm package name. */
  provider: string;
  model: string;
  /** Provider-specific options, passed to the plugin as is. */
  options: Record<string, unknown>;
  similarity: Similarity;
  /** Prepended to every query / document text before embedding (E5's "query: ", BGE's instruction). */
  queryPrefix: string;
  documentPrefix: string;
  /** MTEB results layout revision folder. */
  revision: string;
  runtime: RuntimeSettings;
  /** USD per million input tokens; overrides the built-in list price. */
  pricePerMillionTokens?: number;
  /** Line of the model entry in the config file, for error messages that point back. */
  line?: number;
}

export interface TaskConfig {
  /** Name shown in results and reports. */
  name: string;
  type: "retrieval";
  /** A local BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv), resolved against the config's folder. */
  path?: string;
  /**
   * A hub dataset id such as "mteb/scifact", in BEIR file layout; downloaded into the cache directory
   * before the run. Set from `hub:`, or from the MTEB task registry when only `name:` is given.
   */
  hub?: string;
  /** Branch, tag or commit of the hub dataset (with `hub`). */
  revision?: string;
  splits: string[];
  /** Drop hits whose document id equals the query id (MTEB sets this for ArguAna, Quora, ...). */
  ignoreIdenticalIds: boolean;
  line?: number;
}

export type DropRule =
  /** An absolute drop in the metric, in its own units (0.01 = one nDCG point). */
  | { kind: "absolute"; amount: number }
  /** A relative drop, as a fraction of the baseline (0.02 = 2%). */
  | { kind: "relative"; amount: number };

export interface CompareRule {
  metric: string;
  maxDrop: DropRule;
  /** A drop counts as a regression only when its permutation p-value is below this. */
  significance: number;
  /** Bootstrap resamples for confidence intervals. */
  resamples: number;
  seed: number;
}

export interface CompareOverride {
  task?: string;
  model?: string;
  metric?: string;
  maxDrop?: DropRule;
  significance?: number;
  /** "off" ignores the pair; "warn" reports without failing; "error" (default) fails. */
  level?: "off" | "warn" | "error";
}

export interface EmbedEvalConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file; relative paths resolve against it. */
  baseDirectory: string;
  /** Distinguishes several configs in one repository (sticky comment marker). Defaults to the file path. */
  name: string;
  models: ModelConfig[];
  tasks: TaskConfig[];
  compare: CompareRule & { overrides: CompareOverride[] };
  cache: { enabled: boolean; directory: string };
  output: { directory: string };
}
