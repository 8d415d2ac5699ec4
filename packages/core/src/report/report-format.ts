/** Number formatting shared by the markdown and terminal renderings. Scores are shown in points (x100), like MTEB's tables. */

export function formatScore(value: number | null): string {
  return value === null ? "—" : (value * 100).toFixed(2);
}

export function formatDelta(value: number | null): string {
  if (value === null) return "—";
  const points = value * 100;
  if (Math.abs(points) < 0.005) return "±0.00";
  return `${points > 0 ? "+" : "-"}${Math.abs(points).toFixed(2)}`;
}

export function formatInterval(interval: { low: number; high: number } | null): string {
  if (!interval) return "—";
  return `[${formatDelta(interval.low)}, ${formatDelta(interval.high)}]`;
}

export function formatPValue(value: number | null): string {
  if (value === null) return "—";
  if (value < 0.001) return "<0.001";
  return value.toFixed(3);
}

export function formatCost(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "$0";
  // Two significant digits under 10 cents ($0.041, $0.0093), cents above ($0.10, $12.40).
  if (value < 0.1) return `$${Number(value.toPrecision(2))}`;
  return `$${value.toFixed(2)}`;
}

export function formatLatency(latency: { p50: number; p95: number } | null | undefined): string {
  if (!latency) return "—";
  return `${Math.round(latency.p50)} / ${Math.round(latency.p95)} ms`;
}

export { formatCount } from "../runtime/format-count.js";

/** "3 days", "5 hours", "12 minutes": how old a baseline is. */
export function formatAge(from: Date, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - from.getTime()) / 1000);
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${name}${count === 1 ? "" : "s"}`;
    }
  }
  return "less than a minute";
}

/** Readable names of metric families, as MTEB's leaderboard and papers spell them. */
const familyNames: Record<string, string> = {
  ndcg: "nDCG",
  map: "MAP",
  recall: "Recall",
  precision: "P",
  mrr: "MRR",
  naucs: "nAUC",
  hit_rate: "Hit",
  hits: "Hit",
  r_precision: "R-Prec",
  accuracy: "Accuracy",
  f1: "F1",
};

/**
 * Human metric name: ndcg_at_10 -> nDCG@10, hit_rate_at_10 -> Hit@10, naucs_mrr_at_10 -> nAUC MRR@10;
 * an unknown name keeps its words (`cos_sim_spearman` -> "cos sim spearman").
 */
export function metricLabel(metric: string): string {
  const match = /^([a-z_]+?)_at_(\d+)$/.exec(metric);
  if (match) return `${familyLabel(match[1] as string)}@${match[2]}`;
  return familyNames[metric] ?? metric.replace(/_/g, " ");
}

function familyLabel(family: string): string {
  if (familyNames[family]) return familyNames[family] as string;
  // naucs_ndcg -> "nAUC nDCG": a known prefix, then the rest by the same table.
  const [first, ...rest] = family.split("_");
  if (first && familyNames[first] && rest.length > 0)
    return `${familyNames[first]} ${familyLabel(rest.join("_"))}`;
  return family.replace(/_/g, " ");
}

/** The family of a metric and its cutoff: ndcg_at_10 -> { family: "ndcg", cutoff: 10 }; no cutoff -> null. */
export function metricFamily(metric: string): { family: string; cutoff: number | null } {
  const match = /^([a-z_]+?)_at_(\d+)$/.exec(metric);
  return match ? { family: match[1] as string, cutoff: Number(match[2]) } : { family: metric, cutoff: null };
}
