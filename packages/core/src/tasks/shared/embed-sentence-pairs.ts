import type { ColumnEmbedder } from "./run-task.js";

/** Both columns of sentence-pair rows embedded as they are, row i of each at index i (STS, pair classification, bitext mining). */
export async function embedSentencePairs(
  embed: ColumnEmbedder,
  rows: readonly { sentence1: string; sentence2: string }[],
): Promise<{ vectors1: Float32Array[]; vectors2: Float32Array[] }> {
  const vectors1 = await embed(
    "sentence1",
    rows.map((row) => row.sentence1),
  );
  const vectors2 = await embed(
    "sentence2",
    rows.map((row) => row.sentence2),
  );
  return { vectors1, vectors2 };
}
