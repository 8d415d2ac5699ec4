/**
 * The Bedrock path end to end on one machine: core runtime -> this plugin -> the real AWS SDK client
 * (SigV4 signing, serialisation, HTTP/1.1 keep-alive) -> the local Bedrock server -> back.
 *
 * The server runs in its own process (it also has to generate and serialise the vectors), so this
 * process's CPU time is the client's: runtime, plugin, SDK signing, HTTP and JSON parsing. Reported:
 * wall time, calls and texts per second against the ideal the server permits (concurrency / latency,
 * or its rate limit when that binds), and client CPU milliseconds per call and per text. On two cores
 * the server competes with the client for CPU, so machine-bound rates are lower bounds.
 *
 * Run: pnpm bench invoke-model
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { embedTexts, type RuntimeSettings } from "@embedeval/core";
import type { EmbeddingProvider } from "@embedeval/provider-contract";
import { createBedrockProvider } from "../src/bedrock-plugin.js";
import type { BedrockServerOptions } from "../src/testing/index.js";

const here = dirname(fileURLToPath(import.meta.url));

async function startServerProcess(options: BedrockServerOptions) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@embedeval/source",
      "--import",
      "tsx",
      join(here, "bedrock-server-process.ts"),
      JSON.stringify(options),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const [url] = (await once(lines, "line")) as [string];
  return {
    url,
    async close() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

interface BenchCase {
  name: string;
  model: string;
  options?: Record<string, unknown>;
  texts: number;
  server: BedrockServerOptions;
  settings: RuntimeSettings;
  /** Successful calls per second the server permits; undefined when only the machine limits. */
  idealCallsPerSecond?: number;
}

const cases: BenchCase[] = [
  {
    name: "Titan v2, 1 text/call, no latency, 8 in flight",
    model: "amazon.titan-embed-text-v2:0",
    options: { dimensions: 1024 },
    texts: 4_000,
    server: {},
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 3 },
  },
  {
    name: "Titan v2, 1 text/call, 50 ms, 16 in flight",
    model: "amazon.titan-embed-text-v2:0",
    options: { dimensions: 512 },
    texts: 3_000,
    server: { latencyMs: 50 },
    settings: { maxConcurrency: 16, timeoutSeconds: 30, maxRetries: 3 },
    idealCallsPerSecond: 16 / 0.05,
  },
  {
    name: "Cohere v3, 96 texts/call, 50 ms, 4 in flight",
    model: "cohere.embed-english-v3",
    texts: 20_000,
    server: { latencyMs: 50 },
    settings: { maxConcurrency: 4, timeoutSeconds: 30, maxRetries: 3 },
    idealCallsPerSecond: 4 / 0.05,
  },
  {
    name: "Titan v2, server limit 1,200/min, 20 ms, 8 in flight",
    model: "amazon.titan-embed-text-v2:0",
    options: { dimensions: 256 },
    texts: 300,
    server: { latencyMs: 20, requestsPerMinute: 1_200 },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 12 },
    idealCallsPerSecond: 1_200 / 60,
  },
];

function corpus(count: number): string[] {
  // SciFact-like lengths (about 1,500 characters), distinct so nothing is deduplicated.
  const words = "cell protein gene expression tumour sleep memory vitamin bone density trial cohort".split(
    " ",
  );
  return Array.from({ length: count }, (_, index) => {
    const parts = [`document ${index}`];
    for (let word = 0; parts.join(" ").length < 1_500; word++)
      parts.push(words[(index * 7 + word * 3) % words.length] ?? "");
    return parts.join(" ");
  });
}

interface Row {
  name: string;
  seconds: number;
  calls: number;
  callsPerSecond: number;
  textsPerSecond: number;
  ideal: string;
  throttles: number;
  cpuPerCallMs: number;
  cpuPerTextMs: number;
  peakRssMegabytes: number;
}

const rows: Row[] = [];
for (const benchCase of cases) {
  const server = await startServerProcess(benchCase.server);
  const provider: EmbeddingProvider = createBedrockProvider({
    model: benchCase.model,
    options: { region: "us-east-1", endpoint: server.url, ...benchCase.options },
    baseDirectory: ".",
    environment: { AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench-secret-key" },
  });
  const texts = corpus(benchCase.texts);
  globalThis.gc?.();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await embedTexts({ provider, texts, inputType: "document", settings: benchCase.settings });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (result.embeddings.length !== texts.length) throw new Error(`${benchCase.name}: incomplete result`);
  const attempts = result.usage.calls + result.usage.retries;
  rows.push({
    name: benchCase.name,
    seconds,
    calls: attempts,
    callsPerSecond: result.usage.calls / seconds,
    textsPerSecond: texts.length / seconds,
    ideal:
      benchCase.idealCallsPerSecond === undefined
        ? "machine-bound"
        : `${benchCase.idealCallsPerSecond.toFixed(0)} calls/s`,
    throttles: result.usage.retries,
    cpuPerCallMs: cpuMs / attempts,
    cpuPerTextMs: cpuMs / texts.length,
    peakRssMegabytes: process.resourceUsage().maxRSS / 1024,
  });
  await provider.close?.();
  await server.close();
}

console.log(
  "case".padEnd(54),
  "seconds".padStart(8),
  "calls".padStart(7),
  "calls/s".padStart(9),
  "texts/s".padStart(9),
  "ideal".padStart(15),
  "retries".padStart(8),
  "CPU/call".padStart(9),
  "CPU/text".padStart(9),
  "peak RSS".padStart(10),
);
for (const row of rows) {
  console.log(
    row.name.padEnd(54),
    row.seconds.toFixed(2).padStart(8),
    String(row.calls).padStart(7),
    row.callsPerSecond.toFixed(0).padStart(9),
    row.textsPerSecond.toFixed(0).padStart(9),
    row.ideal.padStart(15),
    String(row.throttles).padStart(8),
    `${row.cpuPerCallMs.toFixed(2)} ms`.padStart(9),
    `${row.cpuPerTextMs.toFixed(3)} ms`.padStart(9),
    `${row.peakRssMegabytes.toFixed(0)} MB`.padStart(10),
  );
}
console.log(
  "\ncalls: attempts including retries; retries: throttled or failed attempts the runtime retried;",
  "CPU: this process only (runtime, plugin, SDK, HTTP, JSON), the server runs in its own process.",
);
