import { type EmbeddingProvider, isRetriever, type Retriever } from "@embedeval/provider-contract";
import { documentText } from "../datasets/beir-folder-loader.js";
import type { RetrievalDataset } from "../datasets/retrieval-dataset.js";
import { evaluateRun, metricNames } from "../metrics/index.js";
import { mtebResultFormatVersion, mtebVersionField } from "../results/mteb-model-meta.js";
import type { ModelIdentity, SplitScores, TaskResult, UsageSummary } from "../results/task-result.js";
import type { AdaptiveRateLimiter } from "../runtime/adaptive-rate-limiter.js";
import { cacheDocumentSource } from "../runtime/cache/cache-document-source.js";
import type { EmbeddingCache } from "../runtime/cache/embedding-cache.js";
import { embedTexts } from "../runtime/embed-texts.js";
import { lookupPricePerMillionTokens } from "../runtime/price-table.js";
import { UsageRecorder } from "../runtime/usage-recorder.js";
import type { SearchBackend } from "../search/search-backend.js";
import { compareDocumentIds } from "../trec/document-id-order.js";
import type { Run } from "../trec/run.js";
import { version } from "../version.js";
import type { EvaluatedModel } from "./evaluated-model.js";
import { searchDense } from "./search-dense.js";
import { modelIdentity } from "./shared/model-identity.js";

/** MTEB's retrieval cut-offs; the deepest one is the retrieval depth. */
export const retrievalKValues = [1, 3, 5, 10, 20, 100, 1000] as const;
export const mainRetrievalMetric = "ndcg_at_10";

/** Every score a retrieval result holds: each measure at each cutoff, as MTEB names them. */
export const retrievalMetricNames: readonly string[] = metricNames(retrievalKValues);
/** MTEB's folder name for a model without a revision; such a model's cache key has no revision. */
export const defaultModelRevision = "no_revision_available";

/** The revision that goes into a model's cache key: none for MTEB's default, so old caches stay valid. */
export function cacheRevisionOf(model: Pick<EvaluatedModel, "revision">): string | undefined {
  return model.revision === defaultModelRevision ? undefined : model.revision;
}

/**
 * With the cache off, a corpus this large (or as large as an explicit streamDocumentsFrom) is held in
 * memory with a warning that the cache would stream it.
 */
const heldInMemoryWarningFrom = 250_000;

export interface RetrievalProgress {
  stage: "documents" | "queries" | "search" | "score";
  done: number;
  total: number;
}

export interface EvaluateRetrievalOptions {
  model: EvaluatedModel;
  provider: EmbeddingProvider | Retriever;
  dataset: RetrievalDataset;
  /** Drop hits whose document id equals the query id (per task, as MTEB does for ArguAna, Quora, ...). */
  ignoreIdenticalIds: boolean;
  cache?: EmbeddingCache;
  /** USD per million tokens for this model, when known. */
  pricePerMillionTokens?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RetrievalProgress) => void;
  /**
   * Records this task's usage. Passed by callers that must report what was spent even when the task
   * fails halfway (the recorder keeps every answered call); created here otherwise.
   */
  usage?: UsageRecorder;
  /** One limiter per model, shared across its tasks, so the pace learned from throttling carries over. */
  rateLimiter?: AdaptiveRateLimiter;
  /**
   * A fast exact-search backend (onnxruntime); identical rankings without it, only slower. May be
   * still loading: it is awaited when the search starts, so loading it overlaps the embedding stage
   * (the cache lookups of a rerun take longer than starting onnxruntime's worker).
   */
  searchBackend?: SearchBackend | Promise<SearchBackend | undefined>;
  /**
   * From this many documents on, with a cache, the document vectors are left in the cache and the
   * search streams them from there one chunk at a time (cacheDocumentSource), rather than holding
   * them all in memory. Default 0: always. The cache reads a chunk at the speed of a file read, with
   * no object per vector, so streaming costs no time and keeps memory at one chunk whatever the corpus
   * (a rerun of 100,000 x 768 from the cache took 1.98 GB holding them; docs/performance.md).
   */
  streamDocumentsFrom?: number;
  /** Clock for timings; injectable so results can be compared byte for byte in tests. */
  now?: () => number;
  /**
   * Only documents [start, end) of the corpus (a corpus shard): the ranking is each query's exact
   * top k over that range, to be merged with the other ranges' (mergeRankings) before scoring.
   */
  documentRange?: { start: number; end: number };
  /** Called with the ranking before it is scored (`embedeval run` keeps each query's top 10 from it). */
  onRanking?: (ranking: RetrievalRanking) => void;
}

/** What the retrieval of one split leaves for scoring: the ranking and what it cost. */
export interface RetrievalRanking {
  run: Run;
  /** The result file's model block. */
  model: ModelIdentity;
  usage: UsageSummary;
  embedSeconds: number;
  searchSeconds: number;
  /** What the provider and the embedding warned about (the dataset's own warnings are not repeated). */
  warnings: string[];
}

/**
 * The exact texts a model is sent for a retrieval dataset, as MTEB builds them: documents as
 * `(title + " " + text).strip()`, only the queries that have judgments, each with the model's prefix.
 * Shared by the evaluation and by cost estimates, so an estimate counts exactly what a run would send.
 */
export function retrievalTexts(
  dataset: RetrievalDataset,
  model: Pick<EvaluatedModel, "queryPrefix" | "documentPrefix">,
): { queries: RetrievalDataset["queries"]; documentTexts: string[]; queryTexts: string[] } {
  const queries = dataset.queries.filter((query) => dataset.qrels.has(query.id));
  return {
    queries,
    documentTexts: dataset.corpus.map((document) => model.documentPrefix + documentText(document)),
    queryTexts: queries.map((query) => model.queryPrefix + query.text),
  };
}

/**
 * Evaluates one model on one split of one retrieval dataset, exactly as MTEB does: documents are sent
 * as `(title + " " + text).strip()`, queries as is (each with the model's prefix), only queries with
 * judgments are embedded and scored, the top 1000 documents are retrieved by exact search, and every
 * measure is computed with trec_eval's semantics.
 */
export async function evaluateRetrieval(options: EvaluateRetrievalOptions): Promise<TaskResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const ranking = await retrieveRanking({ ...options, now });
  options.onRanking?.(ranking);
  return scoreRanking(options.dataset, ranking, {
    ignoreIdenticalIds: options.ignoreIdenticalIds,
    now,
    started,
  });
}

/**
 * The first half of evaluateRetrieval: embeds (through the cache) and searches, and returns each
 * judged query's top 1000, over the whole corpus or over `documentRange`.
 */
export async function retrieveRanking(options: EvaluateRetrievalOptions): Promise<RetrievalRanking> {
  const { model, provider, dataset, signal } = options;
  const now = options.now ?? (() => performance.now());
  const topK = retrievalKValues[retrievalKValues.length - 1] as number;

  const texts = retrievalTexts(dataset, model);
  const { queries, queryTexts } = texts;
  const range = options.documentRange ?? { start: 0, end: dataset.corpus.length };
  const documents = dataset.corpus.slice(range.start, range.end);
  const documentTexts = texts.documentTexts.slice(range.start, range.end);

  let run: Run;
  let usage: UsageSummary;
  let embedSeconds = 0;
  const providerWarnings: string[] = [];
  let searchSeconds = 0;

  if (isRetriever(provider)) {
    const searchStarted = now();
    options.onProgress?.({ stage: "search", done: 0, total: queries.length });
    const ranked = await provider.retrieve({
      documents: documents.map((document, index) => ({
        id: document.id,
        text: documentTexts[index] as string,
      })),
      queries: queries.map((query, index) => ({ id: query.id, text: queryTexts[index] as string })),
      topK,
      ...(signal ? { signal } : {}),
    });
    run = ranked;
    searchSeconds = (now() - searchStarted) / 1000;
    options.onProgress?.({ stage: "search", done: queries.length, total: queries.length });
    usage = emptyUsage();
  } else {
    const embedStarted = now();
    const price = options.pricePerMillionTokens ?? lookupPricePerMillionTokens(provider.modelId);
    // One recorder for documents and queries: the task's usage, with latency percentiles over all calls.
    const recorder = options.usage ?? new UsageRecorder({ pricePerMillionTokens: price });
    const embedOptions = {
      provider,
      settings: model.runtime,
      pricePerMillionTokens: price,
      usage: recorder,
      modelRevision: cacheRevisionOf(model),
      ...(options.cache ? { cache: options.cache } : {}),
      ...(signal ? { signal } : {}),
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    };
    const streamFrom = options.streamDocumentsFrom ?? 0;
    const streamDocuments = options.cache !== undefined && documentTexts.length >= streamFrom;
    if (
      options.cache === undefined &&
      documentTexts.length >= (options.streamDocumentsFrom ?? heldInMemoryWarningFrom)
    ) {
      providerWarnings.push(
        `documents: all ${documentTexts.length} document vectors are held in memory (the cache is off); with the cache on, a corpus this large is streamed from it instead`,
      );
    }
    const documentResult = await embedTexts({
      ...embedOptions,
      texts: documentTexts,
      inputType: "document",
      keepVectors: !streamDocuments,
      onProgress: (done: number, total: number) => options.onProgress?.({ stage: "documents", done, total }),
    });
    const queryResult = await embedTexts({
      ...embedOptions,
      texts: queryTexts,
      inputType: "query",
      onProgress: (done: number, total: number) => options.onProgress?.({ stage: "queries", done, total }),
    });
    embedSeconds = (now() - embedStarted) / 1000;

    const backend = await options.searchBackend;
    const searchStarted = now();
    options.onProgress?.({ stage: "search", done: 0, total: queries.length });
    run = await searchDense({
      queryIds: queries.map((query) => query.id),
      queryVectors: queryResult.embeddings,
      documentIds: documents.map((document) => document.id),
      documents:
        documentResult.cached && options.cache
          ? cacheDocumentSource({
              cache: options.cache,
              namespace: documentResult.cached.namespace,
              texts: documentTexts,
              dimension: documentResult.cached.dimension ?? queryResult.embeddings[0]?.length ?? 0,
              notCached: documentResult.cached.notCached,
            })
          : documentResult.embeddings,
      topK,
      similarity: model.similarity,
      ...(signal ? { signal } : {}),
      ...(backend ? { backend } : {}),
    });
    searchSeconds = (now() - searchStarted) / 1000;
    options.onProgress?.({ stage: "search", done: queries.length, total: queries.length });
    usage = recorder.summary();
    providerWarnings.push(
      ...documentResult.warnings.map((warning) => `documents: ${warning}`),
      ...queryResult.warnings.map((warning) => `queries: ${warning}`),
    );
  }

  return {
    run,
    model: modelIdentity(model, provider),
    usage,
    embedSeconds,
    searchSeconds,
    warnings: providerWarnings,
  };
}

/**
 * The second half of evaluateRetrieval: scores a ranking of the whole corpus (one machine's, or the
 * shards' merged) with trec_eval's semantics and builds the result file.
 */
export function scoreRanking(
  dataset: RetrievalDataset,
  ranking: RetrievalRanking,
  options: { ignoreIdenticalIds: boolean; now?: () => number; started?: number },
): TaskResult {
  const now = options.now ?? (() => performance.now());
  const started = options.started ?? now();
  const { run, usage, embedSeconds, searchSeconds } = ranking;
  const providerWarnings = [...ranking.warnings];
  const scoreStarted = now();
  // Every judged query was asked: one the model answered nothing for scores 0 (trec_eval's -c), rather
  // than leaving the mean, which would reward a retriever for skipping hard queries.
  const evaluation = evaluateRun(dataset.qrels, run, {
    kValues: [...retrievalKValues],
    ignoreIdenticalIds: options.ignoreIdenticalIds,
    scoreMissingQueries: true,
  });
  if (evaluation.missingQueries.length > 0) {
    const shown = evaluation.missingQueries.slice(0, 5).map((id) => `"${id}"`);
    providerWarnings.push(
      `${evaluation.missingQueries.length} judged quer${evaluation.missingQueries.length === 1 ? "y" : "ies"} got no results and scored 0: ${shown.join(", ")}${evaluation.missingQueries.length > 5 ? ", ..." : ""}`,
    );
  }
  const scoreSeconds = (now() - scoreStarted) / 1000;

  const perQuery: Record<string, Record<string, number>> = {};
  for (const [queryId, scores] of [...evaluation.perQuery.entries()].sort(([a], [b]) =>
    compareDocumentIds(a, b),
  )) {
    perQuery[queryId] = scores;
  }
  const splitScores: SplitScores = {
    ...sortedMetrics(evaluation.averages),
    main_score: evaluation.averages[mainRetrievalMetric] ?? 0,
    hf_subset: "default",
    languages: ["eng-Latn"],
  };
  const totalSeconds = (now() - started) / 1000;

  return {
    // MTEB's field: the hub revision for hub datasets (what MTEB and its leaderboard compare), the
    // content hash otherwise. The content hash is always kept in the embedeval block.
    dataset_revision: dataset.hubRevision ?? dataset.contentHash,
    task_name: dataset.name,
    // The MTEB release whose format and retrieval scoring the file follows, marked as written by
    // embedeval (a PEP 440 local version MTEB's loader parses: see results/mteb-model-meta.ts).
    mteb_version: mtebVersionField(version),
    scores: { [dataset.split]: [splitScores] },
    evaluation_time: totalSeconds,
    date: Math.floor(Date.now() / 1000),
    embedeval: {
      version,
      mteb_format_version: mtebResultFormatVersion,
      model: ranking.model,
      per_query: { [dataset.split]: perQuery },
      main_metric: mainRetrievalMetric,
      dataset_content_hash: dataset.contentHash,
      usage,
      timings: { embedSeconds, searchSeconds, scoreSeconds, totalSeconds },
      warnings: [...dataset.warnings, ...providerWarnings],
      counts: {
        documents: dataset.corpus.length,
        queries: dataset.queries.filter((query) => dataset.qrels.has(query.id)).length,
        scoredQueries: evaluation.scoredQueries,
      },
    },
  };
}

function sortedMetrics(averages: Record<string, number>): Record<string, number> {
  const sorted: Record<string, number> = {};
  for (const key of Object.keys(averages).sort()) sorted[key] = averages[key] as number;
  return sorted;
}

export function emptyUsage(): UsageSummary {
  return {
    textsEmbedded: 0,
    cacheHits: 0,
    calls: 0,
    retries: 0,
    throttles: 0,
    tokens: 0,
    tokensSource: "none",
    costUsd: null,
    pricePerMillionTokens: null,
    latencyMs: null,
    latencyPerTextMs: null,
    throughput: null,
  };
}
