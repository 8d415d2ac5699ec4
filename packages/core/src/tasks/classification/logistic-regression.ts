import { minimizeLbfgs } from "../../statistics/lbfgs-minimize.js";

/**
 * scikit-learn's LogisticRegression(max_iter=100) as MTEB fits it: L2 penalty with C = 1, an
 * unpenalised intercept, lbfgs with tol 1e-4. The objective is scikit-learn's (1.2 and later): the mean
 * log-loss plus ‖W‖²/(2·C·n), minimised by scipy's L-BFGS-B with gtol = tol, ftol = 64·ε, maxls 50, from
 * zeros. Two classes: one binomial model for the larger class label; more: the multinomial softmax over
 * all classes. It stops where scikit-learn stops, often before the optimum, which decides predictions.
 */
export interface LogisticRegressionModel {
  classes: number[];
  /** One row per class (one row for two classes), each the weights then the intercept. */
  coefficients: Float64Array[];
  iterations: number;
}

export interface LogisticRegressionOptions {
  C?: number;
  maxIterations?: number;
  tol?: number;
}

export function fitLogisticRegression(
  features: readonly Float32Array[],
  labels: readonly number[],
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const n = features.length;
  const dimension = features[0]?.length ?? 0;
  const width = dimension + 1;
  // 1 / (C · Σ sample weights): the weights are float32 ones for float32 data, so numpy computes the
  // strength in float32 (NEP 50 keeps the Python floats weak).
  const l2 = Math.fround(1 / Math.fround((options.C ?? 1) * n));
  const rows = features.map((row) => Float64Array.from(row));
  const minimize = {
    maxIterations: options.maxIterations ?? 100,
    gtol: options.tol ?? 1e-4,
    ftol: 64 * 2.220446049250313e-16,
  };
  if (classes.length === 2) {
    const target = labels.map((label) => (label === classes[1] ? 1 : 0));
    const result = minimizeLbfgs(
      (w) => binomialLossGradient(w, rows, target, l2),
      new Float64Array(width),
      minimize,
    );
    return { classes, coefficients: [result.x], iterations: result.iterations };
  }
  const k = classes.length;
  const target = labels.map((label) => classes.indexOf(label));
  const result = minimizeLbfgs(
    (w) => multinomialLossGradient(w, rows, target, k, l2),
    new Float64Array(k * width),
    minimize,
  );
  const coefficients = Array.from({ length: k }, (_, klass) =>
    result.x.slice(klass * width, (klass + 1) * width),
  );
  return { classes, coefficients, iterations: result.iterations };
}

/** The class with the largest decision value (the first on ties, as numpy's argmax); > 0 for two classes. */
export function predictLogisticRegression(
  model: LogisticRegressionModel,
  features: readonly Float32Array[],
): number[] {
  return features.map((row) => {
    const decisions = model.coefficients.map((weights) => decision(weights, row));
    if (model.classes.length === 2) return model.classes[(decisions[0] as number) > 0 ? 1 : 0] as number;
    let best = 0;
    for (let klass = 1; klass < decisions.length; klass++)
      if ((decisions[klass] as number) > (decisions[best] as number)) best = klass;
    return model.classes[best] as number;
  });
}

function decision(weights: Float64Array, row: ArrayLike<number>): number {
  const dimension = weights.length - 1;
  let sum = 0;
  for (let index = 0; index < dimension; index++) sum += (row[index] as number) * (weights[index] as number);
  return sum + (weights[dimension] as number);
}

/** scikit-learn's HalfBinomialLoss, averaged, plus the L2 term; gradient included. */
function binomialLossGradient(
  w: Float64Array,
  rows: readonly Float64Array[],
  target: readonly number[],
  l2: number,
): { f: number; gradient: Float64Array } {
  const dimension = w.length - 1;
  const gradient = new Float64Array(w.length);
  const losses = new Float32Array(rows.length);
  rows.forEach((row, sample) => {
    const raw = decision(w, row);
    const y = target[sample] as number;
    // Stable forms, as scikit-learn's _loss module computes them.
    if (raw <= 0) losses[sample] = Math.log1p(Math.exp(raw)) - y * raw;
    else if (raw <= 18) losses[sample] = Math.log1p(Math.exp(-raw)) + (1 - y) * raw;
    else losses[sample] = Math.exp(-raw) + (1 - y) * raw;
    let pointwise: number;
    if (raw > -37) {
      const expTerm = Math.exp(-raw);
      pointwise = (1 - y - y * expTerm) / (1 + expTerm);
    } else {
      pointwise = Math.exp(raw) - y;
    }
    for (let index = 0; index < dimension; index++)
      gradient[index] = (gradient[index] as number) + pointwise * (row[index] as number);
    gradient[dimension] = (gradient[dimension] as number) + pointwise;
  });
  const n = rows.length;
  let penalty = 0;
  for (let index = 0; index < dimension; index++) {
    penalty += (w[index] as number) ** 2;
    gradient[index] = (gradient[index] as number) / n + l2 * (w[index] as number);
  }
  gradient[dimension] = (gradient[dimension] as number) / n;
  return { f: meanLoss(losses) + 0.5 * l2 * penalty, gradient };
}

/** scikit-learn's HalfMultinomialLoss (softmax over all classes), averaged, plus the L2 term. */
function multinomialLossGradient(
  w: Float64Array,
  rows: readonly Float64Array[],
  target: readonly number[],
  k: number,
  l2: number,
): { f: number; gradient: Float64Array } {
  const width = w.length / k;
  const dimension = width - 1;
  const gradient = new Float64Array(w.length);
  const raw = new Float64Array(k);
  const losses = new Float32Array(rows.length);
  rows.forEach((row, sample) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let klass = 0; klass < k; klass++) {
      let sum = 0;
      const offset = klass * width;
      for (let index = 0; index < dimension; index++)
        sum += (row[index] as number) * (w[offset + index] as number);
      raw[klass] = sum + (w[offset + dimension] as number);
      max = Math.max(max, raw[klass] as number);
    }
    let sumExp = 0;
    for (let klass = 0; klass < k; klass++) sumExp += Math.exp((raw[klass] as number) - max);
    const y = target[sample] as number;
    losses[sample] = Math.log(sumExp) + max - (raw[y] as number);
    for (let klass = 0; klass < k; klass++) {
      const pointwise = Math.exp((raw[klass] as number) - max) / sumExp - (klass === y ? 1 : 0);
      const offset = klass * width;
      for (let index = 0; index < dimension; index++) {
        gradient[offset + index] = (gradient[offset + index] as number) + pointwise * (row[index] as number);
      }
      gradient[offset + dimension] = (gradient[offset + dimension] as number) + pointwise;
    }
  });
  const n = rows.length;
  let penalty = 0;
  for (let klass = 0; klass < k; klass++) {
    const offset = klass * width;
    for (let index = 0; index < dimension; index++) {
      penalty += (w[offset + index] as number) ** 2;
      gradient[offset + index] =
        (gradient[offset + index] as number) / n + l2 * (w[offset + index] as number);
    }
    gradient[offset + dimension] = (gradient[offset + dimension] as number) / n;
  }
  return { f: meanLoss(losses) + 0.5 * l2 * penalty, gradient };
}

/**
 * scikit-learn 1.9 keeps float32 data as float32: the per-sample losses land in a float32 array (the
 * dtype of the targets), summed by numpy in float32 (pairwise) and divided by the float32 weight sum.
 * The objective therefore has float32 precision, which the line search and the decrease test see.
 */
function meanLoss(losses: Float32Array): number {
  return Math.fround(float32PairwiseSum(losses, 0, losses.length) / losses.length);
}

/** numpy's pairwise summation of a float32 array, every addition rounded to float32. */
function float32PairwiseSum(values: Float32Array, start: number, end: number): number {
  const n = end - start;
  const add = (a: number, b: number): number => Math.fround(a + b);
  if (n < 8) {
    let sum = -0;
    for (let index = start; index < end; index++) sum = add(sum, values[index] as number);
    return sum;
  }
  if (n <= 128) {
    const r = Array.from(values.subarray(start, start + 8));
    let index = start + 8;
    for (; index < end - (n % 8); index += 8) {
      for (let lane = 0; lane < 8; lane++) r[lane] = add(r[lane] as number, values[index + lane] as number);
    }
    let sum = add(
      add(add(r[0] as number, r[1] as number), add(r[2] as number, r[3] as number)),
      add(add(r[4] as number, r[5] as number), add(r[6] as number, r[7] as number)),
    );
    for (; index < end; index++) sum = add(sum, values[index] as number);
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return add(float32PairwiseSum(values, start, start + half), float32PairwiseSum(values, start + half, end));
}
