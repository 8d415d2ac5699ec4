import type { EmbeddingProvider } from "@embedeval/provider-contract";
import type { AdaptiveRateLimiter } from "../../runtime/adaptive-rate-limiter.js";
import type { EmbeddingCache } from "../../runtime/cache/embedding-cache.js";
import { embedTexts } from "../../runtime/embed-texts.js";
import { lookupPricePerMillionTokens } from "../../runtime/price-table.js";
import { UsageRecorder } from "../../runtime/usage-recorder.js";
import type { EvaluatedModel } from "../evaluated-model.js";
import { cacheRevisionOf } from "../retrieval-task.js";
import type { PromptType } from "./task-type.js";

/** What a task needs to embed texts: the model, its provider, and the run's shared runtime parts. */
export interface TaskEmbeddingContext {
  model: EvaluatedModel;
  provider: EmbeddingProvider;
  cache?: EmbeddingCache;
  signal?: AbortSignal;
  rateLimiter?: AdaptiveRateLimiter;
  /** USD per million tokens, when known; looked up in the built-in price list otherwise. */
  pricePerMillionTokens?: number;
  /** Records the task's usage across its columns (created by the task when absent). */
  usage?: UsageRecorder;
  onProgress?: (progress: { stage: string; done: number; total: number }) => void;
}

/** One recorder per task, so a task's usage and latency cover every column it embeds. */
export function taskUsageRecorder(context: TaskEmbeddingContext): UsageRecorder {
  const price = context.pricePerMillionTokens ?? lookupPricePerMillionTokens(context.provider.modelId);
  return context.usage ?? new UsageRecorder({ pricePerMillionTokens: price });
}

/**
 * Embeds one column of a task through the shared runtime (cache, batching, retries): the model's prefix
 * for query/document texts, none for symmetric texts (prompt type null), which go out as "document".
 */
export async function embedColumn(
  context: TaskEmbeddingContext,
  recorder: UsageRecorder,
  stage: string,
  texts: readonly string[],
  promptType: PromptType,
): Promise<{ vectors: Float32Array[]; warnings: string[] }> {
  const { model, provider } = context;
  const prefix =
    promptType === "query" ? model.queryPrefix : promptType === "document" ? model.documentPrefix : "";
  const result = await embedTexts({
    provider,
    texts: prefix ? texts.map((text) => prefix + text) : texts,
    inputType: promptType === "query" ? "query" : "document",
    settings: model.runtime,
    pricePerMillionTokens: context.pricePerMillionTokens ?? lookupPricePerMillionTokens(provider.modelId),
    usage: recorder,
    modelRevision: cacheRevisionOf(model),
    ...(context.cache ? { cache: context.cache } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.rateLimiter ? { rateLimiter: context.rateLimiter } : {}),
    onProgress: (done: number, total: number) => context.onProgress?.({ stage, done, total }),
  });
  return { vectors: result.embeddings, warnings: result.warnings.map((warning) => `${stage}: ${warning}`) };
}
