import { exactSearch, matrixDocumentSource } from "../core/src/search/index.ts";
import { createOnnxSearchBackend } from "./src/index.ts";

const q = Number(process.argv[2] ?? 200),
  n = Number(process.argv[3] ?? 20000),
  d = 768,
  k = Number(process.argv[4] ?? 100);
const Q = new Float32Array(q * d).map(() => Math.random() - 0.5),
  D = new Float32Array(n * d).map(() => Math.random() - 0.5);
const tie = Uint32Array.from({ length: n }, (_, i) => i);
const backend = await createOnnxSearchBackend();
for (const sim of (process.argv[6] ? [process.argv[6]] : ["cosine", "dot"]) as ("cosine" | "dot")[]) {
  let t = performance.now();
  const fast = await exactSearch({
    queries: Q,
    queryCount: q,
    dimension: d,
    documents: matrixDocumentSource(D, n, d),
    topK: k,
    similarity: sim,
    documentTieRank: tie,
    backend,
  });
  const tf = (performance.now() - t) / 1000;
  t = performance.now();
  const slow =
    process.argv[5] === "skip"
      ? fast
      : await exactSearch({
          queries: Q,
          queryCount: q,
          dimension: d,
          documents: matrixDocumentSource(D, n, d),
          topK: k,
          similarity: sim,
          documentTieRank: tie,
        });
  const ts = (performance.now() - t) / 1000;
  const same =
    fast.indices.every((v, i) => v === slow.indices[i]) && fast.scores.every((v, i) => v === slow.scores[i]);
  console.log(
    sim,
    "fast",
    tf.toFixed(3),
    "s",
    ((2 * q * n * d) / tf / 1e9).toFixed(1),
    "GF/s; portable",
    ts.toFixed(3),
    ((2 * q * n * d) / ts / 1e9).toFixed(2),
    "GF/s; identical",
    same,
    fast.statistics,
  );
}
