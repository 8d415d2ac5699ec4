/**
 * MTEB's nAUC of abstention (`evaluate_abstention` in mteb/_evaluators/retrieval_metrics.py, after
 * Gisserot-Boukhlef et al. 2024): how well a query's own score distribution predicts how good its ranking
 * is. Per query three confidences are taken from its retrieved scores (the top score, their population
 * standard deviation, the gap between the two best); dropping the least confident 0%, 10%, ..., 90% of the
 * queries traces a curve of the mean metric, whose area is normalised between the flat curve (0) and the
 * oracle that drops the worst queries first (1). NaN when the oracle is flat.
 */

export const confidenceFunctions = ["max", "std", "diff1"] as const;
export type ConfidenceFunction = (typeof confidenceFunctions)[number];

/**
 * The three confidences of one query's retrieved scores (in any order). A judged query with no results
 * (no candidate list) has confidence 0 on all three, the least confident of all, as in MTEB's numbers.
 */
export function queryConfidences(scores: readonly number[]): Record<ConfidenceFunction, number> {
  if (scores.length === 0) return { max: 0, std: 0, diff1: 0 };
  const sorted = [...scores].sort((a, b) => b - a);
  const mean = numpySum(scores) / scores.length;
  const std = Math.sqrt(numpySum(scores.map((score) => (score - mean) ** 2)) / scores.length);
  return {
    max: sorted[0] as number,
    std,
    diff1: sorted.length > 1 ? (sorted[0] as number) - (sorted[1] as number) : 0,
  };
}

// numpy.linspace(0, 1, 11)[:-1]: i * 0.1, as numpy computes it.
const abstentionRates = Array.from({ length: 10 }, (_, index) => index * 0.1);

/** nAUC of one metric (per query) against one confidence (per query), both in the same query order. */
export function normalizedAbstentionAuc(confidences: readonly number[], metrics: readonly number[]): number {
  const curve = abstentionCurve(confidences, metrics);
  const oracle = abstentionCurve(metrics, metrics);
  const area = trapezoid(curve);
  const oracleArea = trapezoid(oracle);
  const flatArea = (oracle[0] as number) * ((abstentionRates[9] as number) - (abstentionRates[0] as number));
  if (oracleArea === flatArea) return Number.NaN;
  return (area - flatArea) / (oracleArea - flatArea);
}

function abstentionCurve(confidences: readonly number[], metrics: readonly number[]): number[] {
  const n = confidences.length;
  // numpy.argsort(kind="stable"): ties keep query order; NaN sorts last, where numpy puts it.
  const order = confidences
    .map((_, index) => index)
    .sort((a, b) => compareWithNanLast(confidences[a] as number, confidences[b] as number) || a - b);
  return abstentionRates.map((rate) => {
    const dropped = Math.min(roundHalfEven(rate * n), n - 1);
    const kept = order.slice(dropped).map((index) => metrics[index] as number);
    return numpySum(kept) / kept.length;
  });
}

function compareWithNanLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** Python's round() of a float: halves go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** sklearn.metrics.auc over the abstention rates: numpy.trapezoid. */
function trapezoid(curve: readonly number[]): number {
  const terms: number[] = [];
  for (let index = 1; index < curve.length; index++) {
    const width = (abstentionRates[index] as number) - (abstentionRates[index - 1] as number);
    terms.push((width * ((curve[index] as number) + (curve[index - 1] as number))) / 2);
  }
  return numpySum(terms);
}

/**
 * numpy's pairwise summation (add.reduce on a contiguous float64 array): blocks of up to 128 values
 * summed with eight interleaved accumulators, larger arrays split in halves. Used so means land on
 * numpy's last bit, which matters where nAUC divides by a small difference.
 */
export function numpySum(values: readonly number[], start = 0, end = values.length): number {
  const n = end - start;
  if (n < 8) {
    let sum = -0;
    for (let index = start; index < end; index++) sum += values[index] as number;
    return sum;
  }
  if (n <= 128) {
    const accumulators = values.slice(start, start + 8) as number[];
    let index = start + 8;
    for (; index < end - (n % 8); index += 8) {
      for (let lane = 0; lane < 8; lane++)
        accumulators[lane] = (accumulators[lane] as number) + (values[index + lane] as number);
    }
    const [a0, a1, a2, a3, a4, a5, a6, a7] = accumulators as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    let sum = a0 + a1 + (a2 + a3) + (a4 + a5 + (a6 + a7));
    for (; index < end; index++) sum += values[index] as number;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values, start, start + half) + numpySum(values, start + half, end);
}
