/**
 * The result file for one (model, task): MTEB's layout (`scores[split][i]` holding metric names such as
 * `ndcg_at_10`, `main_score`, `hf_subset`, `languages`) plus an `embedeval` block with what MTEB lacks:
 * per-query scores for significance tests, the model's identity and options, usage, latency and cost.
 *
 * Path: `<output>/<model id>/<revision>/<Task>.json` like MTEB's results repository, where revision is
 * the model's configured `revision` or "no_revision_available".
 */

import type { UsageSummary } from "../runtime/usage-summary.js";

export type { UsageSummary };

export interface SplitScores {
  /** Every metric mean, by MTEB name (`ndcg_at_10`, `map_at_100`, ...). Full precision. */
  [metric: string]: number | string | string[];
  main_score: number;
  hf_subset: string;
  languages: string[];
}

export interface ModelIdentity {
  /** The id the config gives this model, unique within the config, e.g. "titan-v2-512". */
  id: string;
  provider: string;
  model: string;
  /** Every option that changes vectors, as the provider reports them. */
  options: Record<string, unknown>;
  revision: string;
}

export interface TaskResult {
  dataset_revision: string;
  task_name: string;
  mteb_version: string;
  scores: Record<string, SplitScores[]>;
  evaluation_time: number;
  date: number;
  embedeval: {
    version: string;
    model: ModelIdentity;
    /** split -> query id -> metric -> value, for every scored query. */
    per_query: Record<string, Record<string, Record<string, number>>>;
    main_metric: string;
    /** sha256 of the dataset's files: changes whenever the data does, whatever its revision says. */
    dataset_content_hash?: string;
    usage: UsageSummary;
    timings: { embedSeconds: number; searchSeconds: number; scoreSeconds: number; totalSeconds: number };
    warnings: string[];
    counts: { documents: number; queries: number; scoredQueries: number };
  };
}
