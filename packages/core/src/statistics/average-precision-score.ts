/**
 * scikit-learn's average_precision_score for binary labels: sum over the distinct score values, in
 * descending order, of (recall gained) x (precision at that threshold); equal scores form one step. MTEB
 * uses it for pair classification (on scores) and binary classification (on hard predicted labels).
 * No positive label: scikit-learn warns and returns 0 recall everywhere, which gives -0 or NaN; here NaN.
 */
export function averagePrecisionScore(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (n !== scores.length)
    throw new RangeError(`averagePrecisionScore: ${n} labels against ${scores.length}`);
  const order = Array.from({ length: n }, (_, index) => index).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  let positives = 0;
  for (let index = 0; index < n; index++) if ((labels[index] as number) === 1) positives++;
  if (positives === 0) return Number.NaN;
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let sum = 0;
  let position = 0;
  while (position < n) {
    const score = scores[order[position] as number] as number;
    while (position < n && scores[order[position] as number] === score) {
      if ((labels[order[position] as number] as number) === 1) truePositives++;
      seen++;
      position++;
    }
    const recall = truePositives / positives;
    sum += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return sum;
}

/**
 * Average precision split into one term per positive example: the precision of the score step it falls
 * in. Their mean over the positives is averagePrecisionScore exactly; negatives get no term (undefined).
 */
export function averagePrecisionTerms(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): (number | undefined)[] {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, index) => index).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const terms: (number | undefined)[] = new Array(n).fill(undefined);
  let truePositives = 0;
  let position = 0;
  while (position < n) {
    const start = position;
    const score = scores[order[position] as number] as number;
    while (position < n && scores[order[position] as number] === score) {
      if ((labels[order[position] as number] as number) === 1) truePositives++;
      position++;
    }
    const precision = truePositives / position;
    for (let member = start; member < position; member++) {
      const index = order[member] as number;
      if ((labels[index] as number) === 1) terms[index] = precision;
    }
  }
  return terms;
}
