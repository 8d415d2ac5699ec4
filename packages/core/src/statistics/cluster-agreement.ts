/**
 * scikit-learn's clustering agreement scores (sklearn.metrics.cluster): entropy, mutual information,
 * V-measure (beta 1) and adjusted mutual information (arithmetic normaliser), computed from the
 * contingency table as scikit-learn computes them, natural logarithms throughout.
 */

interface Contingency {
  /** Non-zero cells: class index, cluster index, count. */
  cells: { row: number; column: number; count: number }[];
  rowSums: number[];
  columnSums: number[];
  n: number;
}

function contingency(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): Contingency {
  const rowOf = new Map<string | number, number>();
  const columnOf = new Map<string | number, number>();
  // Sorted, as numpy.unique sorts the labels (it decides the summation order only).
  for (const label of [...new Set(truth)].sort()) rowOf.set(label, rowOf.size);
  for (const label of [...new Set(predicted)].sort()) columnOf.set(label, columnOf.size);
  const counts = new Map<number, number>();
  const columns = columnOf.size;
  truth.forEach((label, index) => {
    const key =
      (rowOf.get(label) as number) * columns + (columnOf.get(predicted[index] as string | number) as number);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const cells = [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, count]) => ({ row: Math.floor(key / columns), column: key % columns, count }));
  const rowSums = new Array<number>(rowOf.size).fill(0);
  const columnSums = new Array<number>(columns).fill(0);
  for (const cell of cells) {
    rowSums[cell.row] = (rowSums[cell.row] as number) + cell.count;
    columnSums[cell.column] = (columnSums[cell.column] as number) + cell.count;
  }
  return { cells, rowSums, columnSums, n: truth.length };
}

function entropyOfCounts(counts: readonly number[]): number {
  const positive = counts.filter((count) => count > 0);
  if (positive.length === 0) return 1;
  const total = positive.reduce((sum, count) => sum + count, 0);
  let sum = 0;
  for (const count of positive) sum += (count / total) * (Math.log(count) - Math.log(total));
  return -sum;
}

function mutualInformation(table: Contingency): number {
  if (table.rowSums.length === 1 || table.columnSums.length === 1) return 0;
  const total = table.n;
  let sum = 0;
  for (const { row, column, count } of table.cells) {
    const share = count / total;
    const outer = (table.rowSums[row] as number) * (table.columnSums[column] as number);
    const logOuter = -Math.log(outer) + Math.log(total) + Math.log(total);
    let term = share * (Math.log(count) - Math.log(total)) + share * logOuter;
    if (Math.abs(term) < 2.220446049250313e-16) term = 0;
    sum += term;
  }
  return Math.max(sum, 0);
}

export function vMeasureScore(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): number {
  const table = contingency(truth, predicted);
  const entropyTruth = entropyOfCounts(table.rowSums);
  const entropyPredicted = entropyOfCounts(table.columnSums);
  const information = mutualInformation(table);
  const homogeneity = entropyTruth ? information / entropyTruth : 1;
  const completeness = entropyPredicted ? information / entropyPredicted : 1;
  if (homogeneity + completeness === 0) return 0;
  return (2 * homogeneity * completeness) / (homogeneity + completeness);
}

export function adjustedMutualInformation(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): number {
  const table = contingency(truth, predicted);
  const classes = table.rowSums.length;
  const clusters = table.columnSums.length;
  if ((classes === 1 && clusters === 1) || (classes === 0 && clusters === 0)) return 1;
  const information = mutualInformation(table);
  const expected = expectedMutualInformation(table.rowSums, table.columnSums, table.n);
  const normalizer = (entropyOfCounts(table.rowSums) + entropyOfCounts(table.columnSums)) / 2;
  let denominator = normalizer - expected;
  const epsilon = 2.220446049250313e-16;
  denominator = denominator < 0 ? Math.min(denominator, -epsilon) : Math.max(denominator, epsilon);
  return (information - expected) / denominator;
}

/** sklearn's expected_mutual_information (the hypergeometric model of random labelings). */
function expectedMutualInformation(a: readonly number[], b: readonly number[], n: number): number {
  if (a.length === 1 || b.length === 1) return 0;
  const logN = Math.log(n);
  const lgammaN1 = logGamma(n + 1);
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const start = Math.max(1, ai - n + bj);
      const end = Math.min(ai, bj) + 1;
      const fixed = logGamma(ai + 1) + logGamma(bj + 1) + logGamma(n - ai + 1) + logGamma(n - bj + 1);
      for (let nij = start; nij < end; nij++) {
        const term2 = logN + Math.log(nij) - Math.log(ai) - Math.log(bj);
        const gln =
          fixed -
          (logGamma(nij + 1) + lgammaN1) -
          logGamma(ai - nij + 1) -
          logGamma(bj - nij + 1) -
          logGamma(n - ai - bj + nij + 1);
        emi += (nij / n) * term2 * Math.exp(gln);
      }
    }
  }
  return emi;
}

const logFactorials: number[] = [0];

/** log Γ(x) for positive integers x (log (x−1)!), from a table of summed logarithms grown on demand. */
function logGamma(x: number): number {
  const k = x - 1;
  while (logFactorials.length <= k) {
    const next = logFactorials.length;
    logFactorials.push((logFactorials[next - 1] as number) + Math.log(next));
  }
  return logFactorials[k] as number;
}
