/**
 * `pnpm bench search`: exact k-NN search, 768-dimensional float32 vectors, cosine, against the
 * reference numbers in shared/DESIGN.md. Each case runs in its own process (search-case.ts) so
 * that each peak RSS is that case's alone. The portable kernels are measured on fewer queries and
 * scaled to 1,000 (their cost is linear in the query count); the table says so. In-memory fast
 * cases report the fastest of five runs (all are printed), like reference/torch_search.py, which
 * runs right after them when a Python with PyTorch is found (EMBEDEVAL_BENCH_PYTHON, default
 * /usr/bin/python3), so that the reference is measured on the same machine in the same minutes.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";

interface CaseResult {
  backend: string;
  kernel: string;
  queryCount: number;
  documentCount: number;
  topK: number;
  storage: string;
  seconds: number;
  gflops: number;
  peakRssMegabytes: number;
  allSeconds: number[];
  cpuSeconds: number;
  loadAverage: number;
  pairsScored: number;
  chunks: number;
  preparationSeconds: number;
}

interface Case {
  label: string;
  arguments: string[];
  /** Scale the time to this many queries (portable cases). */
  scaleToQueries?: number;
  reference: string;
}

const full = process.env.EMBEDEVAL_BENCH_QUICK === undefined;
const cases: Case[] = [
  {
    label: "onnx, 1,000 q x 100,000 docs, top-100",
    arguments: ["onnx", "1000", "100000", "100"],
    reference: "DESIGN.md: PyTorch 1.1-1.3 s; onnxruntime Gemm+TopK 1.26 s; usearch 8.5 s",
  },
  {
    label: "onnx, 1,000 q x 100,000 docs, top-1000",
    arguments: ["onnx", "1000", "100000", "1000"],
    reference: "DESIGN.md: PyTorch 1.6 s",
  },
  {
    label: "portable wasm, 100 q x 100,000 docs, top-1000 (x10)",
    arguments: ["webassembly", "100", "100000", "1000"],
    scaleToQueries: 1000,
    reference: "DESIGN.md: plain JS ~1.6 GFLOP/s (~96 s)",
  },
  {
    label: "portable js, 20 q x 100,000 docs, top-1000 (x50)",
    arguments: ["javascript", "20", "100000", "1000"],
    scaleToQueries: 1000,
    reference: "DESIGN.md: plain JS ~1.6 GFLOP/s (~96 s)",
  },
];
if (full) {
  cases.push({
    label: "onnx, 1,000 q x 1,000,000 docs from the embedding cache, top-1000",
    arguments: ["onnx", "1000", "1000000", "1000", "cache"],
    reference: "PyTorch in memory: ~16 s (10x the 100k case), 3 GB+ resident",
  });
}

const worker = fileURLToPath(new URL("./search-case.ts", import.meta.url));
const referenceScript = fileURLToPath(new URL("./reference/torch_search.py", import.meta.url));
console.log(
  `exact search, cosine, dimension 768; ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown"})`,
);
const rows: string[][] = [
  ["case", "seconds", "CPU s", "GFLOP/s", "peak RSS", "load", "pairs rescored", "reference"],
];
const runs = (allSeconds: number[]) =>
  allSeconds.length > 1 ? ` [${allSeconds.map((value) => value.toFixed(2)).join(", ")}]` : "";

/** MTEB's own method (PyTorch matmul + topk) on this machine, now; a note when it cannot run. */
function referenceRows(): string[][] {
  const python = process.env.EMBEDEVAL_BENCH_PYTHON ?? "/usr/bin/python3";
  const run = spawnSync(python, [referenceScript], { encoding: "utf8", maxBuffer: 1 << 20 });
  const lines = (run.stdout ?? "").split("\n").filter((line) => line.startsWith("{"));
  if (run.status !== 0 || lines.length === 0) {
    const reason = (run.stderr ?? "").trim().split("\n").pop() || run.error?.message || "no output";
    console.log(`PyTorch reference not run (${python}: ${reason}); DESIGN.md's numbers are quoted instead.`);
    return [];
  }
  return lines.map((line) => {
    const result = JSON.parse(line) as {
      implementation: string;
      topK: number;
      seconds: number;
      allSeconds: number[];
      cpuSeconds: number;
      loadAverage: number;
      blas: string;
      gflops: number;
      peakRssMegabytes: number;
    };
    return [
      `${result.implementation}, BLAS ${result.blas}, top-${result.topK}`,
      `${result.seconds.toFixed(2)}${runs(result.allSeconds)}`,
      result.cpuSeconds.toFixed(2),
      result.gflops.toFixed(1),
      `${result.peakRssMegabytes.toFixed(0)} MB`,
      result.loadAverage.toFixed(1),
      "-",
      "same machine, same run: MTEB's method (matmul + topk per 50,000 documents)",
    ];
  });
}

for (const [index, benchmarkCase] of cases.entries()) {
  // Right after the in-memory fast cases, the reference, in the same minutes.
  if (index === 2) rows.push(...referenceRows());
  const run = spawnSync(
    process.execPath,
    ["--conditions=@embedeval/source", "--import", "tsx", "--expose-gc", worker, ...benchmarkCase.arguments],
    { encoding: "utf8", env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" }, maxBuffer: 1 << 20 },
  );
  const line = run.stdout.trim().split("\n").pop() ?? "";
  if (run.status !== 0 || !line.startsWith("{")) {
    console.error(`${benchmarkCase.label}: failed\n${run.stderr}`);
    process.exitCode = 1;
    continue;
  }
  const result = JSON.parse(line) as CaseResult;
  const scale =
    benchmarkCase.scaleToQueries === undefined ? 1 : benchmarkCase.scaleToQueries / result.queryCount;
  const seconds = result.seconds * scale;
  const preparation =
    result.preparationSeconds > 0
      ? ` (+${result.preparationSeconds.toFixed(1)} s to fill the cache, not timed)`
      : "";
  rows.push([
    benchmarkCase.label,
    `${seconds.toFixed(2)}${scale === 1 ? "" : " (scaled)"}${runs(result.allSeconds)}${preparation}`,
    (result.cpuSeconds * scale).toFixed(2),
    result.gflops.toFixed(1),
    `${result.peakRssMegabytes.toFixed(0)} MB`,
    result.loadAverage.toFixed(1),
    `${result.pairsScored} in ${result.chunks} chunk(s)`,
    benchmarkCase.reference,
  ]);
}
const widths = (rows[0] as string[]).map((_, column) =>
  Math.max(...rows.map((row) => (row[column] ?? "").length)),
);
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column] as number)).join("  "));
console.log(
  "CPU s: CPU time of all threads of the search process. load: 1-minute load average at the end of the case;",
  "it counts the case's own threads (onnxruntime runs three per CPU, PyTorch one), so only a load well above",
  "what the previous cases left says that other work shared the machine.",
);
console.log(
  "Peak RSS includes the documents held in memory (100,000 x 768 float32 = 307 MB) for the in-memory cases;",
  "the 1,000,000-document case streams 3 GB of vectors from the embedding cache's segment files in 512 MiB chunks.",
);
