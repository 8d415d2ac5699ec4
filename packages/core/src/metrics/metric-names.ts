import { UsageError } from "@embedeval/provider-contract";

/**
 * The retrieval measures MTEB reports, in the order it reports them. Each is computed at every cutoff k and
 * named `${measure}_at_${k}` (MTEB's result keys, e.g. `ndcg_at_10`).
 */
export const MEASURES = ["ndcg", "map", "recall", "precision", "mrr", "hit_rate"] as const;
export type Measure = (typeof MEASURES)[number];

/** `ndcg` + 10 -> `ndcg_at_10`. */
export function metricName(measure: Measure, k: number): string {
  return `${measure}_at_${k}`;
}

/** Every metric name for the given cutoffs, measure-major (all ndcg first), as MTEB orders its result keys. */
export function metricNames(kValues: readonly number[]): string[] {
  const names: string[] = [];
  for (const measure of MEASURES) for (const k of kValues) names.push(metricName(measure, k));
  return names;
}

/**
 * Checks cutoffs: positive integers without duplicates (trec_eval refuses the rest too). Returns them sorted
 * ascending, which is how results and tables list them.
 */
export function normalizeKValues(kValues: readonly number[]): number[] {
  if (kValues.length === 0) {
    throw new UsageError("No cutoff given.", { hint: "Pass at least one k, e.g. `--k 1,3,10`." });
  }
  for (const k of kValues) {
    if (!Number.isSafeInteger(k) || k < 1) {
      throw new UsageError(`Cutoff ${k} is not a positive integer.`, {
        hint: "Cutoffs are document ranks: whole numbers from 1, e.g. `--k 1,3,10`.",
      });
    }
  }
  const sorted = [...kValues].sort((a, b) => a - b);
  for (let index = 1; index < sorted.length; index++) {
    if (sorted[index] === sorted[index - 1]) {
      throw new UsageError(`Cutoff ${sorted[index]} is given twice.`, { hint: "List each k once." });
    }
  }
  return sorted;
}

/** Parses a comma-separated cutoff list such as `1,3,10` (the CLI's `--k`). */
export function parseKValues(text: string): number[] {
  const parts = text.split(",").map((part) => part.trim());
  const values = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  const bad = parts.find((_part, index) => Number.isNaN(values[index]));
  if (bad !== undefined) {
    throw new UsageError(`\`${bad}\` is not a cutoff.`, {
      hint: "Pass positive integers separated by commas, e.g. `--k 1,3,10`.",
    });
  }
  return normalizeKValues(values);
}
