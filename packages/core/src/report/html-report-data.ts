import type { Comparison, ComparisonEntry } from "../compare/comparison.js";

/** Text for HTML element content and attribute values: nothing from data becomes markup. */
export function html(text: unknown): string {
  return String(text ?? "").replace(
    /[&<>"']/g,
    (character) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character] as string,
  );
}

/** One model across the tasks of a run: what the model-selection study weighs against each other. */
export interface ModelSummary {
  id: string;
  provider: string;
  model: string;
  dimensions: number | null;
  /** List price per million input tokens, when known. */
  pricePerMillionTokens: number | null;
  /** What this run paid, over its tasks (null when no task had a price). */
  costUsd: number | null;
  /** Median per-call latency, averaged over the tasks that made calls (null when none did). */
  latencyP50Ms: number | null;
  /** Mean of the gated metric over the model's tasks (head side), on the 0..1 scale. */
  quality: number;
  tasks: number;
  /** True when no other model is at least as good on both axes and better on one. */
  paretoByCost: boolean;
  paretoByLatency: boolean;
}

/** The head side of every (model, task) that has a result, summarised per model in config order. */
export function summariseModels(comparison: Comparison): ModelSummary[] {
  const byModel = new Map<string, ComparisonEntry[]>();
  for (const entry of comparison.entries) {
    if (!entry.head || entry.primary.head === null) continue;
    byModel.set(entry.model, [...(byModel.get(entry.model) ?? []), entry]);
  }
  const summaries: ModelSummary[] = [...byModel].map(([id, entries]) => {
    const first = entries[0]?.head?.embedeval;
    const usages = entries
      .map((entry) => entry.head?.embedeval?.usage)
      .filter((usage) => usage !== undefined);
    const costs = usages.map((usage) => usage.costUsd).filter((cost): cost is number => cost !== null);
    const latencies = usages
      .map((usage) => usage.latencyMs?.p50)
      .filter((latency): latency is number => latency !== undefined && latency !== null);
    const prices = usages
      .map((usage) => usage.pricePerMillionTokens)
      .filter((price): price is number => price !== null && price !== undefined);
    return {
      id,
      provider: first?.model.provider ?? "",
      model: first?.model.model ?? "",
      dimensions: first?.model.dimensions ?? null,
      pricePerMillionTokens: prices.length > 0 ? (prices[0] as number) : null,
      costUsd: costs.length > 0 ? costs.reduce((sum, cost) => sum + cost, 0) : null,
      latencyP50Ms:
        latencies.length > 0 ? latencies.reduce((sum, value) => sum + value, 0) / latencies.length : null,
      quality: entries.reduce((sum, entry) => sum + (entry.primary.head as number), 0) / entries.length,
      tasks: entries.length,
      paretoByCost: false,
      paretoByLatency: false,
    };
  });
  markPareto(
    summaries,
    (summary) => costAxisValue(summary),
    (summary, front) => {
      summary.paretoByCost = front;
    },
  );
  markPareto(
    summaries,
    (summary) => summary.latencyP50Ms,
    (summary, front) => {
      summary.paretoByLatency = front;
    },
  );
  return summaries;
}

/**
 * The cost axis: the list price per million tokens (what choosing the model commits to; what one run paid
 * depends on its cache hits). A model without a price (local, lexical) costs 0 per token.
 */
export function costAxisValue(summary: ModelSummary): number {
  return summary.pricePerMillionTokens ?? 0;
}

/**
 * Marks the Pareto front of (lower is better) `x` against (higher is better) quality: a model is on it when
 * no other model costs no more and scores no less, with one of the two strictly. Models without an `x`
 * value are off the chart and off the front.
 */
export function markPareto(
  summaries: ModelSummary[],
  x: (summary: ModelSummary) => number | null,
  mark: (summary: ModelSummary, front: boolean) => void,
): void {
  for (const candidate of summaries) {
    const candidateX = x(candidate);
    if (candidateX === null) {
      mark(candidate, false);
      continue;
    }
    const dominated = summaries.some((other) => {
      const otherX = x(other);
      if (other === candidate || otherX === null) return false;
      return (
        otherX <= candidateX &&
        other.quality >= candidate.quality &&
        (otherX < candidateX || other.quality > candidate.quality)
      );
    });
    mark(candidate, !dominated);
  }
}

/** The task as a table shows it: its name, with the split when it is not "test". */
export function taskKey(entry: Pick<ComparisonEntry, "task" | "split">): string {
  return entry.split === "test" ? entry.task : `${entry.task} (${entry.split})`;
}

/** Per-query changes of one compared entry on its gated metric, worst first. */
export interface QueryChange {
  queryId: string;
  base: number;
  head: number;
  delta: number;
}

export function queryChanges(entry: ComparisonEntry): QueryChange[] {
  const base = entry.base?.embedeval?.per_query?.[entry.split];
  const head = entry.head?.embedeval?.per_query?.[entry.split];
  if (!base || !head) return [];
  const changes: QueryChange[] = [];
  for (const queryId of Object.keys(head).sort()) {
    const headValue = head[queryId]?.[entry.metric];
    const baseValue = base[queryId]?.[entry.metric];
    if (typeof headValue !== "number" || typeof baseValue !== "number") continue;
    changes.push({ queryId, base: baseValue, head: headValue, delta: headValue - baseValue });
  }
  return changes.sort((a, b) => a.delta - b.delta || a.queryId.localeCompare(b.queryId));
}
