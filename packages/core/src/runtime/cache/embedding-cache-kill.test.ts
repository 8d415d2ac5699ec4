import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScriptedEmbeddingProvider, scriptedVector } from "../../testing/scripted-embedding-provider.js";
import { embedTexts } from "../embed-texts.js";
import { cacheNamespaceFor } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";

const child = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "testing", "embed-until-killed.ts");

/** Runs the child until it has printed "done N" with N >= `killAfter`, then SIGKILLs it. */
function runUntilKilled(directory: string, count: number, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(
      process.execPath,
      ["--conditions=@embedeval/source", "--import", "tsx", child, directory, `${count}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let reported = 0;
    let output = "";
    let errors = "";
    process_.stdout.setEncoding("utf8");
    process_.stdout.on("data", (chunk: string) => {
      output += chunk;
      for (const match of output.matchAll(/done (\d+)\n/g)) reported = Math.max(reported, Number(match[1]));
      if (reported >= killAfter) process_.kill("SIGKILL");
    });
    process_.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    process_.on("error", reject);
    process_.on("exit", (_code, signal) => {
      if (signal === "SIGKILL") resolve(reported);
      else
        reject(new Error(`the child ended by itself before being killed: ${output.slice(-200)} ${errors}`));
    });
  });
}

describe("EmbeddingCache with a killed writer", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-kill-"));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("keeps every vector answered before SIGKILL, and the rerun sends only the rest", async () => {
    const count = 400;
    const reported = await runUntilKilled(directory, count, 20);
    const texts = Array.from({ length: count }, (_, index) => `text ${index}`);

    const provider = new ScriptedEmbeddingProvider({ capabilities: { maxInputsPerCall: 2 } });
    const cache = await EmbeddingCache.open(directory);
    const cached = cache.get(cacheNamespaceFor(provider, "document"), texts);
    const hits = cached.filter((vector) => vector !== undefined).length;
    // Everything the child reported is on disk, maybe more (answered after the last line was read).
    expect(hits).toBeGreaterThanOrEqual(reported);
    expect(hits).toBeLessThan(count);
    cached.forEach((vector, index) => {
      if (vector) expect(vector).toEqual(scriptedVector(texts[index] as string, "document", 4));
    });

    const { embeddings, usage } = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 4, timeoutSeconds: 30, maxRetries: 0 },
      cache,
    });
    cache.close();
    expect(usage.cacheHits).toBe(hits);
    expect(provider.sentTexts()).toHaveLength(count - hits);
    expect(provider.sentTexts().filter((text) => cached[texts.indexOf(text)] !== undefined)).toEqual([]);
    expect(embeddings).toEqual(texts.map((text) => scriptedVector(text, "document", 4)));
  });
});
