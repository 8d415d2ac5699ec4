/** The validated shape of `embedeval.yml`. The loader turns YAML into this, or a ConfigError. */

import type { CompareOverride, CompareRule } from "../compare/compare-rule.js";
import type { EvaluatedModel } from "../tasks/evaluated-model.js";
import type { LocalTaskType } from "../tasks/typed-task-folder.js";

export type { CompareOverride, CompareRule, DropRule } from "../compare/compare-rule.js";
export type { RuntimeSettings } from "../runtime/runtime-settings.js";
export type { Similarity } from "../search/similarity.js";
export type { EvaluatedModel } from "../tasks/evaluated-model.js";

export interface ModelConfig extends EvaluatedModel {
  /** Provider-specific options, passed to the plugin as is. */
  options: Record<string, unknown>;
  /** Line of the model entry in the config file, for error messages that point back. */
  line?: number;
}

export interface TaskConfig {
  /** Name shown in results and reports. */
  name: string;
  /**
   * The MTEB task type: retrieval (the default), or sts, pair-classification, summarization,
   * bitext-mining, classification, clustering, reranking from a local folder (`path`) in the layout of
   * docs/task-types.md.
   */
  type: "retrieval" | LocalTaskType;
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
