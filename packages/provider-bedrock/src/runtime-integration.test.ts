/**
 * The runtime (packages/core/src/runtime), the real plugin with the real AWS SDK client, and the
 * local Bedrock server injecting faults: the reliability bar end to end. Nothing is mocked.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddingCache, embedTexts } from "@embedeval/core";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrockProvider } from "./bedrock-plugin.js";
import {
  type BedrockServer,
  type Fault,
  fakeEmbedding,
  fakeTokenCount,
  startBedrockServer,
} from "./testing/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(here, "../../..");
const environment = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
const fastBackoff = { baseDelayMilliseconds: 5, maxDelayMilliseconds: 20 };

function corpus(count: number, label: string): string[] {
  return Array.from(
    { length: count },
    (_, index) => `${label} ${index}: cells proteins gene ${index % 7} sleep ${index % 5}`,
  );
}

function float32(values: readonly number[]): number[] {
  return Array.from(Float32Array.from(values));
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof startBedrockServer>[0] = {}): Promise<BedrockServer> {
  const started = await startBedrockServer(options);
  cleanups.push(() => started.close());
  return started;
}

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "embedeval-bedrock-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

// A child process with tsx takes seconds to start on a busy 2-core machine; these are correctness
// tests, the bound is only a hang guard.
const hangGuardMilliseconds = 60_000;

describe("runtime + Bedrock plugin + faulty server", () => {
  it(
    "every fault is retried and the result is complete, correct and in input order",
    async () => {
      const faults: Fault[] = [
        { kind: "throttle" },
        { kind: "internal-server" },
        { kind: "connection-reset" },
        { kind: "malformed-json" },
        { kind: "model-not-ready" },
        { kind: "service-unavailable" },
        { kind: "model-timeout" },
        // Longer than runtime.timeoutSeconds: the runtime's own timeout aborts the call.
        { kind: "delay", milliseconds: 10_000 },
      ];
      const bedrock = await server({ faults });
      const provider = createBedrockProvider({
        model: "cohere.embed-english-v3",
        options: { region: "us-east-1", endpoint: bedrock.url },
        baseDirectory: ".",
        environment,
      });
      cleanups.push(() => provider.close());
      const texts = corpus(500, "doc");
      const result = await embedTexts({
        provider,
        texts,
        inputType: "document",
        // 2 s: generous for a local call on a busy machine, so only the injected delay times out.
        settings: { maxConcurrency: 3, timeoutSeconds: 2, maxRetries: 4 },
        backoff: fastBackoff,
      });

      expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
        texts.map((text) => float32(fakeEmbedding(text, 1024, { normalize: true }))),
      );
      // Each fault cost one failed call; every text was answered successfully exactly once.
      const failed = bedrock.calls.filter((call) => call.fault !== undefined);
      expect(failed.map((call) => call.fault).sort()).toEqual(faults.map((fault) => fault.kind).sort());
      const answered = bedrock.calls
        .filter((call) => call.status === 200 && call.fault === undefined)
        .flatMap((call) => call.texts);
      expect(answered.sort()).toEqual([...texts].sort());
      expect(bedrock.calls.every((call) => call.texts.length <= 96)).toBe(true);
      expect(result.usage.retries).toBe(faults.length);
      expect(result.usage.tokensSource).toBe("provider");
      expect(result.usage.tokens).toBe(texts.reduce((sum, text) => sum + fakeTokenCount(text), 0));
    },
    hangGuardMilliseconds,
  );

  it(
    "a run SIGKILLed halfway resumes from the cache and makes no call twice",
    async () => {
      const directory = await temporaryDirectory();
      const cacheDirectory = join(directory, "cache");
      const texts = corpus(40, "abstract");
      const textsFile = join(directory, "texts.json");
      await writeFile(textsFile, JSON.stringify(texts));
      const killAt = 15;

      let child: ReturnType<typeof spawn> | undefined;
      const firstRun = await server({
        // Two faults the runtime retries before the kill; then the kill on call `killAt`'s arrival,
        // while the server holds that call unanswered.
        faults: [{ kind: "throttle" }, { kind: "connection-reset" }],
        faultFor(call) {
          if (call.index !== killAt) return undefined;
          child?.kill("SIGKILL");
          return { kind: "delay", milliseconds: 60_000 };
        },
      });
      child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=@embedeval/source",
          join(here, "runtime-integration-child.ts"),
          firstRun.url,
          cacheDirectory,
          textsFile,
        ],
        { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] },
      );
      let childOutput = "";
      child.stdout?.on("data", (chunk: Buffer) => (childOutput += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (childOutput += chunk.toString()));
      const exit = await new Promise<NodeJS.Signals | number | null>((resolveExit) =>
        child?.on("exit", (code, signal) => resolveExit(signal ?? code)),
      );
      expect(exit, childOutput).toBe("SIGKILL");
      expect(childOutput).not.toContain("finished");
      const answeredBeforeKill = firstRun.calls
        .filter((call) => call.status === 200)
        .flatMap((call) => call.texts);
      // One text per call, one call at a time: calls before the kill minus the two faults.
      expect(new Set(answeredBeforeKill).size).toBe(killAt - 2);

      const secondRun = await server();
      const cache = await EmbeddingCache.open(cacheDirectory);
      cleanups.push(async () => cache.close());
      const provider = createBedrockProvider({
        model: "amazon.titan-embed-text-v2:0",
        options: { region: "us-east-1", endpoint: secondRun.url, dimensions: 256 },
        baseDirectory: ".",
        environment,
      });
      cleanups.push(() => provider.close());
      const result = await embedTexts({
        provider,
        texts,
        inputType: "document",
        settings: { maxConcurrency: 2, timeoutSeconds: 30, maxRetries: 3 },
        cache,
        backoff: fastBackoff,
      });

      const requestedAfterResume = secondRun.calls.flatMap((call) => call.texts);
      expect(requestedAfterResume.filter((text) => answeredBeforeKill.includes(text))).toEqual([]);
      expect([...requestedAfterResume].sort()).toEqual(
        texts.filter((text) => !answeredBeforeKill.includes(text)).sort(),
      );
      expect(result.usage.cacheHits).toBe(killAt - 2);
      expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
        texts.map((text) => float32(fakeEmbedding(text, 256, { normalize: true }))),
      );
    },
    hangGuardMilliseconds,
  );
});
