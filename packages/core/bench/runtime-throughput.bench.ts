/**
 * Runtime throughput: how close embedTexts comes to the best a provider allows, in real time.
 *
 * The provider is in-process: every answer takes a fixed 50 ms (setTimeout), it may enforce its own
 * rate limit (a token bucket refilled continuously, holding at most one second of calls and starting with one, answering over-limit calls at once with a
 * throttle, as Bedrock does), and it may throttle a fixed share of calls at random (seeded). "Ideal" is
 * the rate the provider permits for successful calls: concurrency / latency when only concurrency binds,
 * the rate limit when that binds, times (1 - throttled share) when random throttles also use up quota.
 * A second part measures the embedding cache: writing and re-reading 100,000 vectors of 1,024 floats.
 *
 * Run: pnpm bench runtime-throughput
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdaptiveRateLimiter,
  cacheNamespace,
  createSeededRandom,
  EmbeddingCache,
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  embedTexts,
  ProviderError,
  type RuntimeSettings,
  systemClock,
} from "../src/index.js";

interface BenchProviderOptions {
  latencyMs: number;
  maxInputsPerCall: number;
  /** Server-side limit in calls per minute (token bucket, one second of burst). */
  serverRequestsPerMinute?: number;
  /** Share of calls throttled at random, whatever the rate. */
  randomThrottleShare: number;
  seed: number;
}

class BenchProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "bench";
  readonly modelId = "bench-model";
  readonly vectorOptions = {};
  readonly capabilities;
  attempts = 0;
  serverThrottles = 0;
  randomThrottles = 0;
  private readonly random: () => number;
  private tokens: number;
  private lastRefill = performance.now();

  constructor(private readonly options: BenchProviderOptions) {
    this.capabilities = {
      maxInputsPerCall: options.maxInputsPerCall,
      dimensions: 8,
      normalized: false,
      supportsParallelCalls: true,
    };
    this.random = createSeededRandom(options.seed).next;
    // One call's worth to start with: a full bucket would let the first second's burst through and
    // flatter a run of a few seconds.
    this.tokens = 1;
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    this.attempts += 1;
    if (this.options.serverRequestsPerMinute !== undefined) {
      const perSecond = this.options.serverRequestsPerMinute / 60;
      const now = performance.now();
      this.tokens = Math.min(perSecond, this.tokens + ((now - this.lastRefill) / 1000) * perSecond);
      this.lastRefill = now;
      if (this.tokens < 1) {
        this.serverThrottles += 1;
        throw throttle();
      }
      this.tokens -= 1;
    }
    if (this.random() < this.options.randomThrottleShare) {
      this.randomThrottles += 1;
      throw throttle();
    }
    await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    return {
      embeddings: request.texts.map((text) =>
        Float32Array.from({ length: 8 }, (_, index) => text.length + index),
      ),
      usage: { tokens: request.texts.length * 10, source: "provider" },
    };
  }
}

function throttle(): ProviderError {
  return new ProviderError("Too many requests, please wait before trying again.", {
    provider: "bench",
    retryable: true,
    throttled: true,
    status: 429,
    providerCode: "ThrottlingException",
  });
}

interface ThroughputCase {
  name: string;
  texts: number;
  provider: BenchProviderOptions;
  settings: RuntimeSettings;
  /** Successful calls per second the provider permits. */
  idealCallsPerSecond: number;
}

const latencyMs = 50;
const cases: ThroughputCase[] = [
  {
    name: "concurrency-bound, 8 in flight",
    texts: 2400,
    provider: { latencyMs, maxInputsPerCall: 1, randomThrottleShare: 0, seed: 1 },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 8 },
    idealCallsPerSecond: 8 / (latencyMs / 1000),
  },
  {
    name: "concurrency-bound + 10% throttled",
    texts: 2400,
    provider: { latencyMs, maxInputsPerCall: 1, randomThrottleShare: 0.1, seed: 2 },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 8 },
    idealCallsPerSecond: 8 / (latencyMs / 1000),
  },
  {
    name: "rate-bound, requestsPerMinute 3000 = server limit",
    texts: 250,
    provider: {
      latencyMs,
      maxInputsPerCall: 1,
      serverRequestsPerMinute: 3000,
      randomThrottleShare: 0,
      seed: 3,
    },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 8, requestsPerMinute: 3000 },
    idealCallsPerSecond: 50,
  },
  {
    name: "rate-bound + 10% throttled",
    texts: 250,
    provider: {
      latencyMs,
      maxInputsPerCall: 1,
      serverRequestsPerMinute: 3000,
      randomThrottleShare: 0.1,
      seed: 4,
    },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 8, requestsPerMinute: 3000 },
    idealCallsPerSecond: 50 * 0.9,
  },
  {
    name: "server limit 3000/min not configured (adaptive)",
    texts: 250,
    provider: {
      latencyMs,
      maxInputsPerCall: 1,
      serverRequestsPerMinute: 3000,
      randomThrottleShare: 0,
      seed: 5,
    },
    settings: { maxConcurrency: 8, timeoutSeconds: 30, maxRetries: 8 },
    idealCallsPerSecond: 50,
  },
  {
    name: "batched 96 per call (Cohere-like), 4 in flight",
    texts: 9600,
    provider: { latencyMs, maxInputsPerCall: 96, randomThrottleShare: 0, seed: 6 },
    settings: { maxConcurrency: 4, timeoutSeconds: 30, maxRetries: 8 },
    idealCallsPerSecond: 4 / (latencyMs / 1000),
  },
];

function pad(value: string, width: number): string {
  return value.length >= width ? value : value + " ".repeat(width - value.length);
}
function padLeft(value: string, width: number): string {
  return value.length >= width ? value : " ".repeat(width - value.length) + value;
}

async function runThroughputCase(benchCase: ThroughputCase): Promise<string[]> {
  const provider = new BenchProvider(benchCase.provider);
  const texts = Array.from({ length: benchCase.texts }, (_, index) => `text ${index}`);
  const started = performance.now();
  const rateLimiter = new AdaptiveRateLimiter(
    { requestsPerMinute: benchCase.settings.requestsPerMinute },
    systemClock,
  );
  const { usage } = await embedTexts({
    provider,
    texts,
    inputType: "document",
    settings: benchCase.settings,
    rateLimiter,
  });
  const seconds = (performance.now() - started) / 1000;
  const achieved = benchCase.texts / seconds;
  const ideal = benchCase.idealCallsPerSecond * benchCase.provider.maxInputsPerCall;
  return [
    benchCase.name,
    seconds.toFixed(2),
    achieved.toFixed(1),
    ideal.toFixed(1),
    `${((achieved / ideal) * 100).toFixed(1)}%`,
    `${usage.calls}/${provider.attempts}`,
    `${usage.throttles}`,
    `${rateLimiter.snapshot().decreases}`,
    usage.latencyMs ? `${usage.latencyMs.p50.toFixed(1)}/${usage.latencyMs.p95.toFixed(1)}` : "-",
  ];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? pad(cell, widths[0] ?? 0) : padLeft(cell, widths[column] ?? 0)))
      .join("  ");
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
}

async function cacheBenchmark(): Promise<string[][]> {
  const count = 100_000;
  const dimension = 1024;
  const batch = 96;
  const directory = mkdtempSync(join(tmpdir(), "embedeval-cache-bench-"));
  const namespace = cacheNamespace({
    provider: "bench",
    model: "bench-model",
    vectorOptions: {},
    inputType: "document",
  });
  const texts = Array.from({ length: count }, (_, index) => `document ${index} with some text to hash`);
  const rows: string[][] = [];
  try {
    const megabytes = (count * (dimension * 4 + 44)) / 1024 / 1024;
    let cache = await EmbeddingCache.open(directory);
    const vectors = Array.from({ length: batch }, (_, row) =>
      Float32Array.from({ length: dimension }, (_, index) => Math.sin(row + index)),
    );
    let started = performance.now();
    for (let offset = 0; offset < count; offset += batch) {
      const slice = texts.slice(offset, offset + batch);
      cache.put(namespace, slice, vectors.slice(0, slice.length));
    }
    cache.close();
    let seconds = (performance.now() - started) / 1000;
    rows.push([
      "put 100k x 1024 (96 per put, fsync each second)",
      seconds.toFixed(2),
      `${(megabytes / seconds).toFixed(0)} MB/s`,
    ]);

    started = performance.now();
    cache = await EmbeddingCache.open(directory);
    const found = cache.get(namespace, texts);
    seconds = (performance.now() - started) / 1000;
    const hits = found.filter((vector) => vector !== undefined).length;
    cache.close();
    if (hits !== count) throw new Error(`cache returned ${hits} of ${count} vectors`);
    rows.push([
      "open + get 100k x 1024 (verify every checksum)",
      seconds.toFixed(2),
      `${(megabytes / seconds).toFixed(0)} MB/s`,
    ]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return rows;
}

// Warm-up: compiles the runtime's hot paths so the first case does not pay for it.
await runThroughputCase({ ...(cases[0] as ThroughputCase), texts: 200 });
const rows: string[][] = [];
for (const benchCase of cases) rows.push(await runThroughputCase(benchCase));
console.log(`Runtime throughput (in-process provider, ${latencyMs} ms per call, node ${process.version})`);
printTable(
  [
    "case",
    "seconds",
    "texts/s",
    "ideal/s",
    "of ideal",
    "calls ok/sent",
    "throttles",
    "rate halvings",
    "p50/p95 ms",
  ],
  rows,
);
console.log("");
printTable(["embedding cache", "seconds", "rate"], await cacheBenchmark());
console.log(
  `\nload average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(" ")} on ${cpus().length} cores`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
