/**
 * The result file for one (model, task): MTEB's layout (`scores[split][i]` holding metric names such as
 * `ndcg_at_10`, `main_score`, `hf_subset`, `languages`) plus an `embedeval` block with what MTEB lacks:
 * per-query scores for significance tests, the model's identity and options, usage, latency and cost.
 *
 * Path: `<output>/<model folder>/<revision>/<Task>.json` like MTEB's results repository, where the model
 * folder is MTEB's `org__model` for a model with a hub name (else the config id), revision is the
 * model's configured `revision` or "no_revision_available", and `model_meta.json` sits beside the tasks.
 * `mteb_version` is `<MTEB format version>+embedeval.<version>` (see mteb-model-meta.ts).
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
  /**
   * The model's name as MTEB spells it, which names its results folder: the hub name (`BAAI/bge-base-en-v1.5`,
   * folder `BAAI__bge-base-en-v1.5`) when the model has one, else the config id. Absent in files written
   * before embedeval 0.2, whose folders are the config id.
   */
  name?: string;
  provider: string;
  model: string;
  /** Every option that changes vectors, as the provider reports them. */
  options: Record<string, unknown>;
  revision: string;
  /** Vector size, when the provider declares it (model_meta.json `embed_dim`). */
  dimensions?: number;
  /** Longest input in tokens, when the provider declares it (model_meta.json `max_tokens`). */
  maxTokensPerInput?: number;
  /** "dense" for an embedding model, "sparse" for a lexical retriever (model_meta.json `model_type`). */
  type?: "dense" | "sparse";
}

export interface TaskResult {
  dataset_revision: string;
  task_name: string;
  mteb_version: string;
  scores: Record<string, SplitScores[]>;
  evaluation_time: number;
  date: number;
  embedeval: {
    /** The embedeval version that wrote the file. */
    version: string;
    /** The MTEB release whose result format (and retrieval scoring) the file follows; absent before 0.2. */
    mteb_format_version?: string;
    model: ModelIdentity;
    /** split -> query id -> metric -> value, for every scored query. */
    per_query: Record<string, Record<string, Record<string, number>>>;
    main_metric: string;
    /** MTEB's task type ("Retrieval", "STS", "Classification", ...); absent in retrieval files before 0.2. */
    task_type?: string;
    /** sha256 of the dataset's files: changes whenever the data does, whatever its revision says. */
    dataset_content_hash?: string;
    usage: UsageSummary;
    timings: { embedSeconds: number; searchSeconds: number; scoreSeconds: number; totalSeconds: number };
    warnings: string[];
    counts: { documents: number; queries: number; scoredQueries: number };
  };
}
