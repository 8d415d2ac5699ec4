/**
 * Texts per second of the local provider: tokenisation, onnxruntime runs and pooling, in calls of
 * `maxInputsPerCall` as the runtime makes them, fp32 and q8.
 *
 * Default model: the tiny test fixture (16 dimensions, 2 layers), which measures the provider's own
 * overhead (tokeniser, tensors, pooling) more than the model. For a real model set
 * EMBEDEVAL_BENCH_LOCAL_MODEL to a folder or a cached hub id, e.g.
 *
 *   EMBEDEVAL_BENCH_LOCAL_MODEL=sentence-transformers/all-MiniLM-L6-v2 pnpm bench local-embedding
 *
 * The same model in Python sentence-transformers is the comparison the issue asks for; sentence-transformers
 * is not installable on the machines this was written on, so that column is left to a machine that has it
 * (`model.encode(texts, batch_size=32)` over the same texts).
 *
 * Run: pnpm bench local-embedding   (EMBEDEVAL_BENCH_LOCAL_TEXTS sets the text count, default 2,000)
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLocalProvider, type LocalEmbeddingProvider } from "../src/index.js";

const model = process.env.EMBEDEVAL_BENCH_LOCAL_MODEL ?? "./tiny-mean";
const baseDirectory =
  process.env.EMBEDEVAL_BENCH_LOCAL_MODEL === undefined
    ? join(import.meta.dirname, "..", "test", "fixtures")
    : process.cwd();
const textCount = Number(process.env.EMBEDEVAL_BENCH_LOCAL_TEXTS ?? 2_000);

/** Sentences of 4 to 120 words from a small vocabulary, the same on every run (a linear congruential walk). */
function benchTexts(count: number): string[] {
  const words =
    "the heart of a cell virus risk vaccine train immune system recognise protein gene expression study patients trial reduced increased effect dose".split(
      " ",
    );
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, () => {
    const length = 4 + Math.floor(next() ** 2 * 116);
    return Array.from({ length }, () => words[Math.floor(next() * words.length)]).join(" ");
  });
}

async function measure(provider: LocalEmbeddingProvider, texts: string[]) {
  const size = provider.capabilities.maxInputsPerCall;
  // One warm-up call: session initialisation and first-run allocations are not throughput.
  await provider.embed({ texts: texts.slice(0, Math.min(size, 64)), inputType: "document" });
  let tokens = 0;
  const start = performance.now();
  for (let offset = 0; offset < texts.length; offset += size) {
    const response = await provider.embed({
      texts: texts.slice(offset, offset + size),
      inputType: "document",
    });
    tokens += response.usage.tokens;
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, tokens };
}

const texts = benchTexts(textCount);
console.log(
  `model ${model}, ${texts.length} texts, ${process.env.EMBEDEVAL_BENCH_LOCAL_MODEL ? "" : "tiny fixture, "}calls of up to 32`,
);
for (const dtype of ["fp32", "q8"] as const) {
  let provider: LocalEmbeddingProvider;
  try {
    provider = await createLocalProvider({
      model,
      options: { dtype },
      baseDirectory,
      environment: process.env,
    });
  } catch (error) {
    console.log(`${dtype}: skipped (${(error as Error).message})`);
    continue;
  }
  const { seconds, tokens } = await measure(provider, texts);
  console.log(
    `${dtype}: ${(texts.length / seconds).toFixed(0)} texts/s, ${(tokens / seconds).toFixed(0)} tokens/s ` +
      `(${seconds.toFixed(2)} s, batchSize ${provider.settings.batchSize}, ${provider.settings.threads} threads, ` +
      `max ${provider.settings.maxSeqLength} tokens, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`,
  );
  await provider.close();
}
