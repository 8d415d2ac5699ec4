import { NumpyRandomState } from "../../statistics/mersenne-twister.js";

/**
 * scikit-learn's MiniBatchKMeans(n_clusters=k, batch_size=512, n_init=1, random_state=42) fit_predict on
 * float32 data, as MTEB's v2 clustering calls it: k-means++ (2 + ⌊ln k⌋ local trials) on an init sample
 * of 3·batch rows, one validation draw, then minibatch steps (at most 100·n/batch) with the float32 center
 * updates, random reassignment of starved centers, and early stopping after 10 steps without improvement
 * of the smoothed inertia; finally every row labelled by its nearest center. The random stream is
 * numpy's RandomState(42) drawn in scikit-learn's order; distances are computed in float64 and rounded
 * to float32 where scikit-learn keeps float32 (its BLAS summation order cannot be replayed exactly).
 */
export interface MiniBatchKMeansOptions {
  clusters: number;
  batchSize?: number;
  maxIterations?: number;
  maxNoImprovement?: number;
  reassignmentRatio?: number;
  seed?: number;
}

const f32 = Math.fround;

export function miniBatchKMeansLabels(
  rows: readonly Float32Array[],
  options: MiniBatchKMeansOptions,
): number[] {
  const k = options.clusters;
  const batchSize = options.batchSize ?? 512;
  const n = rows.length;
  const dimension = rows[0]?.length ?? 0;
  const random = new NumpyRandomState(options.seed ?? 42);
  const initSize = Math.min(3 * batchSize, n);
  const steps = Math.floor(((options.maxIterations ?? 100) * n) / batchSize);
  const reassignmentRatio = options.reassignmentRatio ?? 0.01;
  const maxNoImprovement = options.maxNoImprovement ?? 10;

  // The validation rows are drawn (and the init inertia computed on them) only to pick the best of n_init
  // runs; with n_init = 1 their draw still advances the stream.
  for (let draw = 0; draw < initSize; draw++) random.randint(0, n);
  let initRows: readonly Float32Array[] = rows;
  if (initSize < n) {
    const indices = Array.from({ length: initSize }, () => random.randint(0, n));
    initRows = indices.map((index) => rows[index] as Float32Array);
  }
  let centers: Float32Array[] = kMeansPlusPlus(initRows, k, random);
  let centersNew: Float32Array[] = centers.map((center) => Float32Array.from(center));
  const counts = new Float32Array(k);
  let sinceReassign = 0;
  let ewaInertia: number | undefined;
  let ewaInertiaMin: number | undefined;
  let noImprovement = 0;

  for (let step = 0; step < steps; step++) {
    const batch = Array.from({ length: batchSize }, () => rows[random.randint(0, n)] as Float32Array);
    sinceReassign += batchSize;
    let reassign = false;
    if (counts.some((count) => count === 0) || sinceReassign >= 10 * k) {
      sinceReassign = 0;
      reassign = true;
    }
    const { labels, inertia } = labelsAndInertia(batch, centers);
    updateCenters(batch, labels, centers, centersNew, counts, dimension);
    if (reassign && reassignmentRatio > 0) {
      const largest = Math.max(...counts);
      const toReassign = Array.from(counts, (count) => count < f32(reassignmentRatio * largest));
      let reassignCount = toReassign.filter(Boolean).length;
      if (reassignCount > 0.5 * batch.length) {
        const order = Array.from(counts.keys()).sort(
          (a, b) => (counts[a] as number) - (counts[b] as number) || a - b,
        );
        for (const index of order.slice(Math.floor(0.5 * batch.length))) toReassign[index] = false;
        reassignCount = toReassign.filter(Boolean).length;
      }
      if (reassignCount > 0) {
        const picked = random.choiceWithoutReplacement(batch.length, reassignCount);
        let next = 0;
        toReassign.forEach((flag, cluster) => {
          if (flag) centersNew[cluster] = Float32Array.from(batch[picked[next++] as number] as Float32Array);
        });
        const kept = Array.from(counts).filter((_, cluster) => !toReassign[cluster]);
        const smallest = Math.min(...kept);
        toReassign.forEach((flag, cluster) => {
          if (flag) counts[cluster] = smallest;
        });
      }
    }
    [centers, centersNew] = [centersNew, centers];
    // _mini_batch_convergence: the first step's inertia comes from the initialisation and is ignored.
    if (step === 0) continue;
    // _inertia_dense sums in float32 and hands Python a float: the smoothing runs in float64.
    const batchInertia = inertia / batchSize;
    if (ewaInertia === undefined) ewaInertia = batchInertia;
    else {
      const alpha = Math.min((batchSize * 2) / (n + 1), 1);
      ewaInertia = ewaInertia * (1 - alpha) + batchInertia * alpha;
    }
    if (ewaInertiaMin === undefined || ewaInertia < ewaInertiaMin) {
      noImprovement = 0;
      ewaInertiaMin = ewaInertia;
    } else noImprovement++;
    if (noImprovement >= maxNoImprovement) break;
  }
  return labelsAndInertia(rows, centers).labels;
}

function squaredNorm32(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum = f32(sum + f32(value * value));
  return sum;
}

/** _labels_inertia: nearest center by ‖c‖² − 2x·c (float32), the first on ties; inertia summed in float32. */
function labelsAndInertia(
  rows: readonly Float32Array[],
  centers: readonly Float32Array[],
): { labels: number[]; inertia: number } {
  const centerNorms = centers.map(squaredNorm32);
  let inertia = 0;
  const labels = rows.map((row) => {
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    centers.forEach((center, cluster) => {
      // sgemm's float32 accumulation along the features, one fused multiply-add per step.
      let product = 0;
      for (let index = 0; index < row.length; index++)
        product = f32(product + (row[index] as number) * (center[index] as number));
      const distance = f32(-2 * product + (centerNorms[cluster] as number));
      if (distance < bestDistance) {
        bestDistance = distance;
        best = cluster;
      }
    });
    inertia = f32(inertia + squaredDistance32(row, centers[best] as Float32Array));
    return best;
  });
  return { labels, inertia };
}

/** _euclidean_dense_dense(squared=True) in float32, four components at a time as scikit-learn unrolls it. */
function squaredDistance32(a: Float32Array, b: Float32Array): number {
  const square = (index: number): number => {
    const difference = f32((a[index] as number) - (b[index] as number));
    return f32(difference * difference);
  };
  let result = 0;
  const blocks = Math.floor(a.length / 4);
  for (let block = 0; block < blocks; block++) {
    const base = block * 4;
    const group = f32(f32(f32(square(base) + square(base + 1)) + square(base + 2)) + square(base + 3));
    result = f32(result + group);
  }
  for (let index = blocks * 4; index < a.length; index++) result = f32(result + square(index));
  return result;
}

/** _minibatch_update_dense: each center moves to the running mean of every point it has taken (float32). */
function updateCenters(
  batch: readonly Float32Array[],
  labels: readonly number[],
  centers: readonly Float32Array[],
  centersNew: Float32Array[],
  counts: Float32Array,
  dimension: number,
): void {
  centers.forEach((center, cluster) => {
    const members = labels.flatMap((label, index) => (label === cluster ? [index] : []));
    const target = centersNew[cluster] as Float32Array;
    if (members.length === 0) {
      target.set(center);
      return;
    }
    for (let index = 0; index < dimension; index++)
      target[index] = f32((center[index] as number) * (counts[cluster] as number));
    for (const member of members) {
      const row = batch[member] as Float32Array;
      for (let index = 0; index < dimension; index++)
        target[index] = f32((target[index] as number) + (row[index] as number));
    }
    counts[cluster] = f32((counts[cluster] as number) + members.length);
    const alpha = f32(1 / (counts[cluster] as number));
    for (let index = 0; index < dimension; index++) target[index] = f32((target[index] as number) * alpha);
  });
}

/**
 * Squared distances from one point to every row as _euclidean_distances_upcast computes them for float32
 * data: ‖x‖² + ‖y‖² − 2·x·y in float64, stored as float32, negatives clipped to 0.
 */
function squaredDistances(
  point: Float32Array,
  rows: readonly Float32Array[],
  rowNorms: Float64Array,
): Float32Array {
  let pointNorm = 0;
  for (const value of point) pointNorm += value * value;
  return Float32Array.from(rows, (row, index) => {
    let product = 0;
    for (let component = 0; component < row.length; component++)
      product += (row[component] as number) * (point[component] as number);
    return Math.max(0, Math.fround(-2 * product + pointNorm + (rowNorms[index] as number)));
  });
}

/** _kmeans_plusplus with unit sample weights. */
function kMeansPlusPlus(rows: readonly Float32Array[], k: number, random: NumpyRandomState): Float32Array[] {
  const n = rows.length;
  const trials = 2 + Math.floor(Math.log(k));
  // choice(n, p=ones/n): p is float32 (weights / their sum) read as float64, summed and normalised by
  // the last value in float64, searched on the right.
  const cdf = new Float64Array(n);
  const share = f32(1 / n);
  let running = 0;
  for (let index = 0; index < n; index++) {
    running += share;
    cdf[index] = running;
  }
  const last = cdf[n - 1] as number;
  for (let index = 0; index < n; index++) cdf[index] = (cdf[index] as number) / last;
  const rowNorms = Float64Array.from(rows, (row) => {
    let sum = 0;
    for (const value of row) sum += value * value;
    return sum;
  });
  const first = searchSorted(cdf, random.randomSample(), "right");
  const centers: Float32Array[] = [Float32Array.from(rows[first] as Float32Array)];
  let closest = squaredDistances(rows[first] as Float32Array, rows, rowNorms);
  // Potentials are float32 dot products with the float32 sample weights.
  let potential = f32(sum64(closest));
  for (let c = 1; c < k; c++) {
    const cumulative = new Float64Array(n);
    let total = 0;
    for (let index = 0; index < n; index++) {
      total += closest[index] as number;
      cumulative[index] = total;
    }
    const candidates = Array.from({ length: trials }, () =>
      Math.min(searchSorted(cumulative, random.randomSample() * potential, "left"), n - 1),
    );
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestDistances = closest;
    let bestCandidate = candidates[0] as number;
    for (const candidate of candidates) {
      const distances = squaredDistances(rows[candidate] as Float32Array, rows, rowNorms);
      for (let index = 0; index < n; index++)
        distances[index] = Math.min(distances[index] as number, closest[index] as number);
      const candidatePotential = f32(sum64(distances));
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestDistances = distances;
        bestCandidate = candidate;
      }
    }
    potential = bestPotential;
    closest = bestDistances;
    centers.push(Float32Array.from(rows[bestCandidate] as Float32Array));
  }
  return centers;
}

function sum64(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/** numpy.searchsorted: the first index whose value is ≥ target ("left") or > target ("right"). */
function searchSorted(sorted: ArrayLike<number>, target: number, side: "left" | "right"): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle] as number;
    if (side === "left" ? value < target : value <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}
