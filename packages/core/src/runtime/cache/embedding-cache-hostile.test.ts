import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScriptedEmbeddingProvider, scriptedVector } from "../../testing/scripted-embedding-provider.js";
import { cacheNamespaceFor } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";

describe("EmbeddingCache with things that are not segments in its folder", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-hostile-cache-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("skips a FIFO and a folder named like segments, without blocking, and counts them", async () => {
    const namespace = cacheNamespaceFor(new ScriptedEmbeddingProvider(), "document");
    const writer = await EmbeddingCache.open(directory);
    writer.put(namespace, ["kept"], [scriptedVector("kept", "document", 4)]);
    writer.close();
    const folder = join(directory, "embeddings-v1", namespace.id);
    // A synchronous open of a FIFO blocks until a writer comes: it would hang the run, Ctrl-C included.
    execFileSync("mkfifo", [join(folder, "00000000000000-1-fifo.segment")]);
    mkdirSync(join(folder, "00000000000000-2-folder.segment"));

    const cache = await EmbeddingCache.open(directory);
    expect(cache.get(namespace, ["kept", "missing"])).toEqual([
      scriptedVector("kept", "document", 4),
      undefined,
    ]);
    expect(cache.stats()).toMatchObject({ ignoredFiles: 2, hits: 1, misses: 1 });
    cache.close();
  });
});
