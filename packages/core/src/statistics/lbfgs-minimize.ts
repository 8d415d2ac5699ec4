import { MoreThuenteSearch } from "./line-search-dcsrch.js";

/**
 * scipy.optimize.minimize(method="L-BFGS-B") without bounds, step for step: what scikit-learn's lbfgs
 * solver runs. Without bounds L-BFGS-B's Cauchy point and subspace minimisation reduce to the L-BFGS
 * direction -H·g (H from the last `memory` pairs, H0 = s'y/y'y; -g on the first iteration), searched
 * by the Moré-Thuente line search from step min(1/‖d‖, 1e10) on the first iteration and 1 after.
 * Stopping as scipy and L-BFGS-B test it: the largest gradient component ≤ gtol (before the first step
 * and after each), a relative decrease of f ≤ ftol, or maxIterations iterations.
 */
export interface MinimizeOptions {
  maxIterations: number;
  /** Stop when max |g_i| ≤ gtol. */
  gtol: number;
  /** Stop when (f_old − f) / max(|f_old|, |f|, 1) ≤ ftol. */
  ftol: number;
  /** Correction pairs kept (scipy's maxcor, 10). */
  memory?: number;
  /** Function evaluations allowed per line search (scikit-learn passes 50). */
  maxLineSearchSteps?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  stop: "gradient" | "decrease" | "iterations" | "line-search";
}

export type ObjectiveWithGradient = (x: Float64Array) => { f: number; gradient: Float64Array };

const epsilon = 2.220446049250313e-16;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] as number) * (b[index] as number);
  return sum;
}

function maxAbs(values: Float64Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}

export function minimizeLbfgs(
  objective: ObjectiveWithGradient,
  start: Float64Array,
  options: MinimizeOptions,
): MinimizeResult {
  const memory = options.memory ?? 10;
  const maxSteps = options.maxLineSearchSteps ?? 50;
  const n = start.length;
  let x = Float64Array.from(start);
  let { f, gradient: g } = objective(x);
  let evaluations = 1;
  if (maxAbs(g) <= options.gtol) return { x, f, iterations: 0, evaluations, stop: "gradient" };
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let theta = 1;
  let iterations = 0;
  while (true) {
    const d = direction(g, pairs, theta);
    const dnorm = Math.sqrt(dot(d, d));
    const stpmax = 1e10;
    let stp = iterations === 0 ? Math.min(1 / dnorm, stpmax) : 1;
    const xOld = x;
    const gOld = g;
    const fOld = f;
    const gdOld = dot(g, d);
    if (gdOld >= 0) return { x, f, iterations, evaluations, stop: "line-search" };
    const search = new MoreThuenteSearch(1e-3, 0.9, 0.1, 0, stpmax);
    stp = search.start(f, gdOld, stp);
    let steps = 0;
    while (true) {
      const trial = new Float64Array(n);
      for (let index = 0; index < n; index++)
        trial[index] = stp * (d[index] as number) + (xOld[index] as number);
      const evaluated = objective(trial);
      evaluations++;
      steps++;
      x = trial;
      f = evaluated.f;
      g = evaluated.gradient;
      const outcome = search.next(f, dot(g, d), stp);
      if (outcome.task !== "FG") break;
      if (steps >= maxSteps) return { x: xOld, f: fOld, iterations, evaluations, stop: "line-search" };
      stp = outcome.stp;
    }
    iterations++;
    if (iterations >= options.maxIterations) return { x, f, iterations, evaluations, stop: "iterations" };
    if (maxAbs(g) <= options.gtol) return { x, f, iterations, evaluations, stop: "gradient" };
    if (fOld - f <= options.ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) {
      return { x, f, iterations, evaluations, stop: "decrease" };
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let index = 0; index < n; index++) {
      s[index] = stp * (d[index] as number);
      y[index] = (g[index] as number) - (gOld[index] as number);
    }
    // L-BFGS-B's curvature test: dr = (gd − gdold)·stp against −gdold·stp.
    const dr = (dot(g, d) - gdOld) * stp;
    if (dr > epsilon * -gdOld * stp) {
      pairs.push({ s, y, rho: 1 / dot(y, s) });
      if (pairs.length > memory) pairs.shift();
      theta = dot(y, y) / dr;
    }
  }
}

/** The two-loop recursion: −H·g with H0 = I/θ. */
function direction(
  g: Float64Array,
  pairs: { s: Float64Array; y: Float64Array; rho: number }[],
  theta: number,
): Float64Array {
  const q = Float64Array.from(g);
  const alphas = new Float64Array(pairs.length);
  for (let index = pairs.length - 1; index >= 0; index--) {
    const pair = pairs[index] as (typeof pairs)[number];
    const alpha = pair.rho * dot(pair.s, q);
    alphas[index] = alpha;
    for (let component = 0; component < q.length; component++)
      q[component] = (q[component] as number) - alpha * (pair.y[component] as number);
  }
  for (let component = 0; component < q.length; component++) q[component] = (q[component] as number) / theta;
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index] as (typeof pairs)[number];
    const beta = pair.rho * dot(pair.y, q);
    const alpha = alphas[index] as number;
    for (let component = 0; component < q.length; component++)
      q[component] = (q[component] as number) + (alpha - beta) * (pair.s[component] as number);
  }
  for (let component = 0; component < q.length; component++) q[component] = -(q[component] as number);
  return q;
}
