import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedEmbeddingProvider, scriptedVector } from "../../testing/scripted-embedding-provider.js";
import { embedTexts } from "../embed-texts.js";
import { systemClock } from "../runtime-clock.js";
import { cacheNamespaceFor } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";

const child = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "testing", "embed-alongside.ts");

/**
 * Two runs (this process and a child process) embedding overlapping texts into one cache at the same
 * moment, with a compaction due (more segments than the threshold, all quiet): together they must pay
 * for each text once, none of the texts cached beforehand may be paid for, and both must get every
 * vector right. Twenty trials, so the interleavings vary.
 */
describe("two runs sharing one cache", () => {
  let root: string;
  let process_: ReturnType<typeof spawn>;
  let answers: AsyncIterator<string>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "embedeval-concurrent-"));
    process_ = spawn(process.execPath, ["--conditions=@embedeval/source", "--import", "tsx", child], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    answers = createInterface({ input: process_.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  });
  afterAll(() => {
    process_.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it("pay for each text once across 20 trials, while one of them compacts", async () => {
    const probe = new ScriptedEmbeddingProvider({ capabilities: { maxInputsPerCall: 10 } });
    const namespace = cacheNamespaceFor(probe, "document");
    for (let trial = 0; trial < 20; trial += 1) {
      const directory = join(root, `trial-${trial}`);
      // 40 texts cached beforehand in 8 segments (as 8 earlier runs would leave them), all quiet for an
      // hour, above the threshold of 4: the first of the two runs to load the namespace compacts it.
      const seeded = Array.from({ length: 40 }, (_, index) => `text ${index}`);
      const segments = Array.from({ length: 8 }, (_, segment) => seeded.slice(segment * 5, segment * 5 + 5));
      for (const texts of segments) {
        const cache = await EmbeddingCache.open(directory);
        cache.put(
          namespace,
          texts,
          texts.map((text) => scriptedVector(text, "document", 4)),
        );
        cache.close();
      }
      const folder = join(directory, "embeddings-v1", namespace.id);
      const anHourAgo = new Date(Date.now() - 3_600_000);
      for (const name of readdirSync(folder)) utimesSync(join(folder, name), anHourAgo, anHourAgo);

      // The child embeds texts 100-399 while this process embeds texts 0-299: 100-299 are shared.
      process_.stdin?.write(`${directory} 100 300 4\n`);
      const cache = await EmbeddingCache.open(directory, {
        compactQuietMilliseconds: 60_000,
        compactAboveSegments: 4,
      });
      const provider = new ScriptedEmbeddingProvider({
        clock: systemClock,
        capabilities: { maxInputsPerCall: 10 },
        latency: () => 3,
      });
      const texts = Array.from({ length: 300 }, (_, index) => `text ${index}`);
      const { embeddings } = await embedTexts({
        provider,
        texts,
        inputType: "document",
        settings: { maxConcurrency: 2, timeoutSeconds: 30 },
        cache,
      });
      cache.close();
      const answer = await answers.next();
      const other = JSON.parse(answer.value as string) as { sent: string[]; correct: boolean };

      expect(embeddings).toEqual(texts.map((text) => scriptedVector(text, "document", 4)));
      expect(other.correct).toBe(true);
      const paid = [...provider.sentTexts(), ...other.sent];
      // Every text of either run paid for exactly once, except those cached before: never.
      expect(paid.filter((text) => seeded.includes(text))).toEqual([]);
      expect(new Set(paid).size).toBe(paid.length);
      expect(paid).toHaveLength(400 - seeded.length);
      // The compaction did happen: one merged segment plus the two runs' own, not the 8 seeded.
      expect(readdirSync(folder).filter((name) => name.endsWith(".segment")).length).toBeLessThanOrEqual(3);
    }
  }, 60_000);
});
