import {
  type BulkEmbedding,
  cacheNamespaceFor,
  cacheRevisionOf,
  estimateTokens,
  isRetriever,
  retrievalTexts,
  typedTaskTexts,
} from "@embedeval/core";
import { closeProviders, prepareRun, type RunEvaluationOptions } from "./prepare-run.js";

export interface RunEstimate {
  model: string;
  task: string;
  /** Distinct texts the run would send (documents and queries), and how many of them are cached. */
  texts: number;
  cached: number;
  /** Estimated input tokens of the texts not cached: about 4 characters a token. */
  estimatedTokens: number;
  /**
   * Of the texts not cached, those the provider would embed in asynchronous jobs (Bedrock batch
   * inference, `bulk`), and their estimated tokens: priced at the jobs' price, not the on-demand one.
   */
  batchTexts: number;
  batchTokens: number;
  /** USD, or null when the model has no known price (or needs no calls at all: BM25). */
  estimatedCostUsd: number | null;
}

/**
 * What `embedeval run` would send and roughly what it would cost, without calling any provider:
 * `embedeval run --dry-run`. Counts exactly the texts a run sends, minus what the cache already holds.
 */
export async function estimateRun(options: RunEvaluationOptions): Promise<RunEstimate[]> {
  const { cache, prepared, tasks, datasets, typedDatasets } = await prepareRun(options);
  const estimates: RunEstimate[] = [];
  try {
    for (const { model, provider, price } of prepared) {
      for (const task of tasks) {
        const estimate: RunEstimate = {
          model: model.id,
          task: task.name,
          texts: 0,
          cached: 0,
          estimatedTokens: 0,
          batchTexts: 0,
          batchTokens: 0,
          estimatedCostUsd: null,
        };
        if (!isRetriever(provider)) {
          // Each split embeds the corpus again; with the cache the later splits are cache hits, so a
          // text is counted once per input type, without it once per split, as the run pays.
          const textsByType = { document: [] as string[][], query: [] as string[][] };
          for (const dataset of datasets.get(task.name) ?? []) {
            const { documentTexts, queryTexts } = retrievalTexts(dataset, model);
            textsByType.document.push([...new Set(documentTexts)]);
            textsByType.query.push([...new Set(queryTexts)]);
          }
          for (const typed of typedDatasets.get(task.name) ?? []) {
            const texts = typedTaskTexts(typed, model);
            textsByType.document.push([...new Set(texts.document)]);
            textsByType.query.push([...new Set(texts.query)]);
          }
          for (const inputType of ["document", "query"] as const) {
            const distinct = cache
              ? [...new Set(textsByType[inputType].flat())]
              : textsByType[inputType].flat();
            // Only the index is consulted: a large corpus's vectors are not read just to be counted.
            const found = cache
              ? cache.cachedDimensions(
                  cacheNamespaceFor(provider, inputType, cacheRevisionOf(model)),
                  distinct,
                  provider.capabilities.dimensions,
                )
              : [];
            const missing = distinct.filter((_, index) => found[index] === undefined);
            const tokens = estimateTokens(missing);
            estimate.texts += distinct.length;
            estimate.cached += distinct.length - missing.length;
            estimate.estimatedTokens += tokens;
            // The run asks the same question of what the cache lacks, per input type.
            if (missing.length > 0 && provider.bulk?.accepts(missing.length, inputType)) {
              estimate.batchTexts += missing.length;
              estimate.batchTokens += tokens;
            }
          }
          estimate.estimatedCostUsd = estimatedCost(estimate, price, provider.bulk);
        }
        estimates.push(estimate);
      }
    }
  } finally {
    cache?.close();
    await closeProviders(prepared);
  }
  return estimates;
}

/**
 * Tokens sent in calls at the model's price, plus those sent in jobs at the price the plugin gives its
 * jobs (Bedrock batch: half the on-demand price), as the run's usage reports them. Null when either
 * price needed is unknown.
 */
function estimatedCost(
  estimate: RunEstimate,
  price: number | undefined,
  bulk: BulkEmbedding | undefined,
): number | null {
  const callTokens = estimate.estimatedTokens - estimate.batchTokens;
  const callCost = price === undefined ? null : (callTokens / 1_000_000) * price;
  if (estimate.batchTokens === 0 || !bulk) return callCost;
  const batchPrice = bulk.pricePerMillionTokens(price ?? null);
  if (batchPrice === null || (callCost === null && callTokens > 0)) return null;
  return (callCost ?? 0) + (estimate.batchTokens / 1_000_000) * batchPrice;
}
