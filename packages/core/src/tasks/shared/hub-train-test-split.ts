import { DatasetError } from "@embedeval/provider-contract";
import { NumpyGenerator } from "../../statistics/numpy-generator.js";

/**
 * The rows Hugging Face `datasets` keeps as "test" when MTEB calls `train_test_split(test_size=n,
 * seed=42)` on a split (arrow_dataset.py): the first n of `default_rng(42).permutation(rows)`, in that
 * order (ArXivHierarchicalClustering's 2,048 rows).
 */
export function randomTestIndices(rowCount: number, testSize: number, seed = 42): number[] {
  checkSizes(rowCount, testSize);
  return new NumpyGenerator(seed).permutation(rowCount).slice(0, testSize);
}

/**
 * MTEB's `AbsTask.stratified_subsampling` (ToxicConversations, StackExchangeClustering.v2): the label
 * column is class-encoded as `datasets` does (names = the labels as strings, sorted; class = position),
 * then `train_test_split(test_size=n, seed=42, stratify_by_column=label)` keeps the test part of the first
 * of `stratified_shuffle_split_generate_indices`' splits (utils/stratify.py, a port of scikit-learn's
 * StratifiedShuffleSplit on numpy's default_rng): train counts per class, then test counts, each by
 * `approximate_mode` (ties in the remainders broken by generator.choice), one permutation per class,
 * then a permutation of the train list (drawn, unused) and of the test list, whose order is the rows'.
 * Returns the row indices of the subsample in that order; the whole split when it is no larger.
 */
export function stratifiedTestIndices(
  labels: readonly (string | number)[],
  testSize: number,
  seed = 42,
): number[] {
  if (testSize >= labels.length) return labels.map((_, index) => index);
  const names = [...new Set(labels.map(String))].sort(compareCodePoints);
  const classOf = new Map(names.map((name, index) => [name, index]));
  const classes = labels.map((label) => classOf.get(String(label)) as number);
  const counts = names.map(() => 0);
  for (const label of classes) counts[label] = (counts[label] as number) + 1;
  const trainSize = labels.length - testSize;
  if (Math.min(...counts) < 2) {
    throw new DatasetError(
      "A label occurs once: the stratified subsample MTEB draws needs two rows of every label.",
      { hint: "Check the label column; `datasets` refuses the same split." },
    );
  }
  if (trainSize < names.length || testSize < names.length) {
    throw new DatasetError(
      `${names.length} labels do not fit a stratified split of ${testSize} of ${labels.length} rows.`,
      { hint: "Check the label column; `datasets` refuses the same split." },
    );
  }
  // argsort(kind="mergesort") is stable: each class's rows in dataset order.
  const rowsOfClass: number[][] = names.map(() => []);
  classes.forEach((label, row) => {
    rowsOfClass[label]?.push(row);
  });
  const generator = new NumpyGenerator(seed);
  const trainCounts = approximateMode(counts, trainSize, generator);
  const testCounts = approximateMode(
    counts.map((count, index) => count - (trainCounts[index] as number)),
    testSize,
    generator,
  );
  const train: number[] = [];
  const test: number[] = [];
  rowsOfClass.forEach((rows, label) => {
    const shuffled = generator.permutation(rows.length).map((position) => rows[position] as number);
    const trainCount = trainCounts[label] as number;
    train.push(...shuffled.slice(0, trainCount));
    test.push(...shuffled.slice(trainCount, trainCount + (testCounts[label] as number)));
  });
  generator.permutation(train);
  return generator.permutation(test);
}

/**
 * `approximate_mode(class_counts, n_draws, rng)`: floor of each class's share, then one more for the
 * classes with the largest remainders (equal remainders: generator.choice picks which).
 */
function approximateMode(counts: readonly number[], draws: number, generator: NumpyGenerator): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const continuous = counts.map((count) => (draws * count) / total);
  const floored = continuous.map(Math.floor);
  let needToAdd = draws - floored.reduce((sum, value) => sum + value, 0);
  if (needToAdd > 0) {
    const remainders = continuous.map((value, index) => value - (floored[index] as number));
    const values = [...new Set(remainders)].sort((a, b) => b - a);
    for (const value of values) {
      const tied = remainders.flatMap((remainder, index) => (remainder === value ? [index] : []));
      const addNow = Math.min(tied.length, needToAdd);
      for (const index of generator.choiceWithoutReplacement(tied, addNow)) {
        floored[index] = (floored[index] as number) + 1;
      }
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

function checkSizes(rowCount: number, testSize: number): void {
  if (testSize >= rowCount) {
    throw new DatasetError(`A ${testSize}-row test split of ${rowCount} rows leaves no train rows.`, {
      hint: "`datasets`' train_test_split refuses it too; check that the whole split was read.",
    });
  }
}

/** Python's str ordering: by code point (JavaScript's default sort compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index]?.codePointAt(0) as number) - (right[index]?.codePointAt(0) as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
