/**
 * Scoring: parse a 2,000,000-line TREC run and a 2,000-query qrels file, then compute every MTEB retrieval
 * measure at every default cutoff (ndcg, map, recall, precision, mrr, hit_rate at 1,3,5,10,20,100,1000),
 * side by side with the reference: trec_eval (C) does the same job in 1.46 s on these machines.
 *
 * The data is generated deterministically (seeded) in a temporary folder: 1,000 documents per query in score
 * order, scores with 4 decimals (so ties occur), 1-6 positively graded judgments per query (grades 1-2, some not
 * retrieved) plus grade-0 judgments. Timed: reading both files, parsing, scoring. The in-memory case scores the
 * same ranking as a `Run` (what embedeval's own search hands over), without the file.
 *
 * Run: pnpm bench scoring
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createSeededRandom, evaluateRun, readQrels, readTrecRun, retrievalKValues } from "../src/index.js";

const QUERIES = 2_000;
const DOCUMENTS_PER_QUERY = 1_000;
const CORPUS_SIZE = 5_000_000;
const REPETITIONS = 5;
const TREC_EVAL_SECONDS = 1.46;

function generate(folder: string): { runPath: string; qrelsPath: string } {
  const random = createSeededRandom(20_261_127).next;
  const runPath = join(folder, "run.trec");
  const qrelsPath = join(folder, "qrels.trec");
  const runFile = openSync(runPath, "w");
  const qrelsFile = openSync(qrelsPath, "w");
  for (let query = 0; query < QUERIES; query++) {
    // Distinct documents per query: an arithmetic progression modulo the corpus size with an odd stride.
    const first = Math.floor(random() * CORPUS_SIZE);
    const stride = 1 + 2 * Math.floor(random() * 1000);
    const documents = Array.from({ length: DOCUMENTS_PER_QUERY }, (_, index) => ({
      id: `doc${(first + index * stride) % CORPUS_SIZE}`,
      score: (random() * 40).toFixed(4),
    }));
    documents.sort((a, b) => Number(b.score) - Number(a.score));
    let lines = "";
    for (let index = 0; index < documents.length; index++) {
      const document = documents[index] as { id: string; score: string };
      lines += `q${query} Q0 ${document.id} ${index + 1} ${document.score} bench\n`;
    }
    writeSync(runFile, lines);

    let judgments = "";
    const relevant = 1 + Math.floor(random() * 6);
    const judgedIds = new Set<string>();
    for (let judged = 0; judged < relevant; judged++) {
      const retrieved = random() < 0.6;
      // Relevant documents lean towards the top of the ranking, as with a decent model.
      const id = retrieved
        ? (documents[Math.floor(random() * random() * DOCUMENTS_PER_QUERY)] as { id: string }).id
        : `unretrieved${query}-${judged}`;
      if (judgedIds.has(id)) continue;
      judgedIds.add(id);
      judgments += `q${query} 0 ${id} ${1 + Math.floor(random() * 2)}\n`;
    }
    for (let judged = 0; judged < 3; judged++) {
      judgments += `q${query} 0 nonrelevant${query}-${judged} 0\n`;
    }
    writeSync(qrelsFile, judgments);
  }
  closeSync(runFile);
  closeSync(qrelsFile);
  return { runPath, qrelsPath };
}

function peakRssMegabytes(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "embedeval-scoring-bench-"));
  try {
    const generationStart = performance.now();
    const { runPath, qrelsPath } = generate(folder);
    const runBytes = statSync(runPath).size;
    console.log(
      `data: ${QUERIES} queries x ${DOCUMENTS_PER_QUERY} documents = ${(QUERIES * DOCUMENTS_PER_QUERY).toLocaleString("en-US")} run lines (${(runBytes / 1e6).toFixed(1)} MB), generated in ${((performance.now() - generationStart) / 1000).toFixed(1)} s`,
    );
    globalThis.gc?.();

    const rows: string[][] = [];
    let lastAverages: Record<string, number> = {};
    const timings: { read: number; parse: number; score: number; total: number }[] = [];
    for (let repetition = 0; repetition < REPETITIONS; repetition++) {
      const start = performance.now();
      const qrels = (await readQrels(qrelsPath)).qrels;
      const readAndParseStart = performance.now();
      const run = await readTrecRun(runPath);
      const parsed = performance.now();
      const evaluation = evaluateRun(qrels, run, { kValues: retrievalKValues });
      const end = performance.now();
      if (run.size !== QUERIES * DOCUMENTS_PER_QUERY || evaluation.scoredQueries !== QUERIES) {
        throw new Error(`unexpected counts: ${run.size} lines, ${evaluation.scoredQueries} queries scored`);
      }
      lastAverages = evaluation.averages;
      timings.push({
        read: readAndParseStart - start,
        parse: parsed - readAndParseStart,
        score: end - parsed,
        total: end - start,
      });
      globalThis.gc?.();
    }
    const lines = QUERIES * DOCUMENTS_PER_QUERY;
    for (const [index, timing] of timings.entries()) {
      rows.push([
        `TREC files -> all measures, run ${index + 1}${index === 0 ? " (cold)" : ""}`,
        (timing.total / 1000).toFixed(3),
        `${(((lines / timing.total) * 1000) / 1e6).toFixed(2)} M`,
        `qrels ${(timing.read / 1000).toFixed(3)} + run read+parse ${(timing.parse / 1000).toFixed(3)} + score ${(timing.score / 1000).toFixed(3)}`,
        peakRssMegabytes().toFixed(0),
        `${TREC_EVAL_SECONDS.toFixed(2)} s`,
      ]);
    }

    // The same ranking as an in-memory Run, as embedeval's search hands it over.
    const qrels = (await readQrels(qrelsPath)).qrels;
    const inMemory = (await readTrecRun(runPath)).toRun();
    globalThis.gc?.();
    const memoryStart = performance.now();
    const memoryEvaluation = evaluateRun(qrels, inMemory, { kValues: retrievalKValues });
    const memoryTime = performance.now() - memoryStart;
    for (const [name, value] of Object.entries(lastAverages)) {
      if (Math.abs((memoryEvaluation.averages[name] as number) - value) > 1e-12) {
        throw new Error(`in-memory and file paths disagree on ${name}`);
      }
    }
    rows.push([
      "in-memory Run (2M objects) -> all measures",
      (memoryTime / 1000).toFixed(3),
      `${(((lines / memoryTime) * 1000) / 1e6).toFixed(2)} M`,
      "score only (no file)",
      peakRssMegabytes().toFixed(0),
      "-",
    ]);

    const header = ["case", "seconds", "lines/s", "breakdown (s)", "peak RSS MB", "trec_eval (C)"];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
    );
    const format = (row: string[]): string =>
      row.map((cell, column) => cell.padEnd(widths[column] as number)).join("  ");
    console.log(format(header));
    console.log(widths.map((width) => "-".repeat(width)).join("  "));
    for (const row of rows) console.log(format(row));
    const totals = timings.map((timing) => timing.total / 1000).sort((a, b) => a - b);
    const best = totals[0] as number;
    const median = totals[Math.floor(totals.length / 2)] as number;
    const [load] = loadavg();
    console.log(
      `\nbest ${best.toFixed(3)} s, median ${median.toFixed(3)} s vs trec_eval 1.46 s: ${(TREC_EVAL_SECONDS / best).toFixed(2)}x (best), ${(TREC_EVAL_SECONDS / median).toFixed(2)}x (median); 1-minute load average ${load?.toFixed(2)} on ${availableParallelism()} cores`,
    );
    console.log(
      `ndcg_at_10 = ${lastAverages.ndcg_at_10?.toFixed(5)}, map_at_1000 = ${lastAverages.map_at_1000?.toFixed(5)}`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
