import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheNamespace } from "./cache-namespace.js";
import { EmbeddingCache, formatCacheLine } from "./embedding-cache.js";

const documents = cacheNamespace({
  provider: "bedrock",
  model: "amazon.titan-embed-text-v2:0",
  vectorOptions: { dimensions: 256, normalize: true },
  inputType: "document",
});

function vector(seed: number, dimension = 8): Float32Array {
  return Float32Array.from({ length: dimension }, (_, index) => Math.sin(seed * 31 + index) * 1e-3 + index);
}

function segmentFiles(directory: string, namespaceId = documents.id): string[] {
  const folder = join(directory, "embeddings-v1", namespaceId);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".segment"))
    .map((name) => join(folder, name));
}

describe("EmbeddingCache", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-cache-"));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("returns exactly the stored float32 values after reopening", async () => {
    const first = await EmbeddingCache.open(directory);
    const texts = ["alpha", "beta", "ünïcødé ✓", ""];
    const vectors = texts.map((_, index) => vector(index));
    first.put(documents, texts, vectors);
    first.close();

    const second = await EmbeddingCache.open(directory);
    const found = second.get(documents, [...texts, "missing"]);
    for (let index = 0; index < texts.length; index += 1) expect(found[index]).toEqual(vectors[index]);
    expect(found[4]).toBeUndefined();
    expect(second.stats()).toMatchObject({ hits: 4, misses: 1, entries: 4, damagedRecords: 0 });
    expect(second.stats().bytes).toBe(readFileSync(segmentFiles(directory)[0] as string).length);
    second.close();
  });

  it("reads vectors into one matrix in any order, and names the rows it cannot give", async () => {
    const first = await EmbeddingCache.open(directory);
    // Two segments (two runs), written in an order unlike the order asked for.
    first.put(documents, ["c", "a"], [vector(3), vector(1)]);
    first.close();
    const second = await EmbeddingCache.open(directory);
    second.put(documents, ["b", "short"], [vector(2), vector(9, 4)]);
    const asked = ["a", "b", "missing", "c", "a", "short"];
    const target = new Float32Array(asked.length * 8).fill(-1);
    expect(second.readInto(documents, asked, target, 8)).toEqual([2, 5]);
    for (const [row, seed] of [
      [0, 1],
      [1, 2],
      [3, 3],
      [4, 1],
    ] as const) {
      expect(target.subarray(row * 8, row * 8 + 8)).toEqual(vector(seed));
    }
    // Rows it cannot give are left as they were, for the caller to fill or report.
    expect(target.subarray(2 * 8, 3 * 8)).toEqual(new Float32Array(8).fill(-1));
    expect(second.stats()).toMatchObject({ hits: 0, misses: 0, damagedRecords: 0 });

    // A record whose bytes change after the scan is not returned: dropped, counted, embedded again.
    const [older] = segmentFiles(directory).sort();
    const bytes = readFileSync(older as string);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff; // last float of "a"
    writeFileSync(older as string, bytes);
    const again = new Float32Array(2 * 8);
    expect(second.readInto(documents, ["c", "a"], again, 8)).toEqual([1]);
    expect(again.subarray(0, 8)).toEqual(vector(3));
    expect(second.stats().damagedRecords).toBe(1);
    expect(second.get(documents, ["a"])[0]).toBeUndefined();
    second.close();
  });

  it("finds each changed record among many read together, whether its payload or its stored checksum changed", async () => {
    const texts = Array.from({ length: 50 }, (_, index) => `text ${index}`);
    const writer = await EmbeddingCache.open(directory);
    writer.put(
      documents,
      texts,
      texts.map((_, index) => vector(index)),
    );
    writer.close();
    const reader = await EmbeddingCache.open(directory);
    reader.get(documents, texts.slice(0, 1)); // scanned while every record was intact
    const [file] = segmentFiles(directory);
    const bytes = readFileSync(file as string);
    const recordBytes = 12 + 32 + 8 * 4;
    const recordAt = (index: number) => 48 + index * recordBytes;
    bytes[recordAt(10) + 12 + 32 + 5] = (bytes[recordAt(10) + 12 + 32 + 5] as number) ^ 0x01; // a float of 10
    bytes[recordAt(37) + 8] = (bytes[recordAt(37) + 8] as number) ^ 0x80; // the stored checksum of 37
    bytes[recordAt(49) + 12 + 2] = (bytes[recordAt(49) + 12 + 2] as number) ^ 0x04; // the key of 49
    writeFileSync(file as string, bytes);
    const target = new Float32Array(texts.length * 8);
    expect(reader.readInto(documents, texts, target, 8)).toEqual([10, 37, 49]);
    for (let row = 0; row < texts.length; row += 1) {
      if (row === 10 || row === 37 || row === 49) continue;
      expect(target.subarray(row * 8, row * 8 + 8)).toEqual(vector(row));
    }
    expect(reader.stats().damagedRecords).toBe(3);
    reader.close();
  });

  it("keys by namespace: the same text as a query is not the document's vector", async () => {
    const queries = cacheNamespace({ ...documents.description, inputType: "query" });
    const otherDimensions = cacheNamespace({
      ...documents.description,
      vectorOptions: { dimensions: 512, normalize: true },
    });
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["what is BM25?"], [vector(1)]);
    expect(cache.get(queries, ["what is BM25?"])).toEqual([undefined]);
    expect(cache.get(otherDimensions, ["what is BM25?"])).toEqual([undefined]);
    expect(cache.get(documents, ["what is BM25?"])[0]).toEqual(vector(1));
    cache.close();
  });

  it("treats option objects with the same content in another key order as one namespace", () => {
    const reordered = cacheNamespace({
      inputType: "document",
      vectorOptions: { normalize: true, dimensions: 256 },
      model: "amazon.titan-embed-text-v2:0",
      provider: "bedrock",
    });
    expect(reordered.id).toBe(documents.id);
  });

  it("sees what earlier runs wrote, each run in its own segment", async () => {
    for (let run = 0; run < 3; run += 1) {
      const cache = await EmbeddingCache.open(directory);
      cache.put(documents, [`text ${run}`], [vector(run)]);
      cache.close();
    }
    expect(segmentFiles(directory)).toHaveLength(3);
    const cache = await EmbeddingCache.open(directory);
    const found = cache.get(documents, ["text 0", "text 1", "text 2"]);
    expect(found).toEqual([vector(0), vector(1), vector(2)]);
    cache.close();
  });

  it("ignores a torn tail left by a killed writer and keeps every complete record", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["one", "two"], [vector(1), vector(2)]);
    cache.put(documents, ["three"], [vector(3)]);
    cache.close();
    const [file] = segmentFiles(directory);
    const size = readFileSync(file as string).length;
    truncateSync(file as string, size - 5); // the last record loses its final bytes

    const reopened = await EmbeddingCache.open(directory);
    expect(reopened.get(documents, ["one", "two", "three"])).toEqual([vector(1), vector(2), undefined]);
    expect(reopened.stats().damagedRecords).toBe(1);
    reopened.close();
  });

  it("skips a record whose bytes changed and still finds the records after it", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["one", "two", "three"], [vector(1), vector(2), vector(3)]);
    cache.close();
    const [file] = segmentFiles(directory);
    const bytes = readFileSync(file as string);
    // Header 48 bytes, each record 12 + 32 + 8 * 4 = 76 bytes: flip a float byte of the second record.
    const secondRecordFloat = 48 + 76 + 12 + 32 + 5;
    bytes[secondRecordFloat] = (bytes[secondRecordFloat] as number) ^ 0xff;
    writeFileSync(file as string, bytes);

    const reopened = await EmbeddingCache.open(directory);
    expect(reopened.get(documents, ["one", "two", "three"])).toEqual([vector(1), undefined, vector(3)]);
    expect(reopened.stats().damagedRecords).toBe(1);
    reopened.close();
  });

  it("skips a record whose length field was damaged, resynchronising on the next record", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["one", "two", "three"], [vector(1), vector(2), vector(3)]);
    cache.close();
    const [file] = segmentFiles(directory);
    const bytes = readFileSync(file as string);
    bytes.writeUInt32LE(1_000_000, 48 + 4); // first record claims a huge payload
    writeFileSync(file as string, bytes);

    const reopened = await EmbeddingCache.open(directory);
    expect(reopened.get(documents, ["one", "two", "three"])).toEqual([undefined, vector(2), vector(3)]);
    reopened.close();
  });

  it("ignores a file with a foreign header and garbage appended after good records", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["one"], [vector(1)]);
    cache.close();
    const folder = join(directory, "embeddings-v1", documents.id);
    writeFileSync(
      join(folder, "0-foreign.segment"),
      "not a cache file at all, just text that happens to be here",
    );
    appendFileSync(
      segmentFiles(directory).find((path) => !path.endsWith("0-foreign.segment")) as string,
      "junk!!",
    );

    const reopened = await EmbeddingCache.open(directory);
    expect(reopened.get(documents, ["one"])).toEqual([vector(1)]);
    expect(reopened.stats()).toMatchObject({ ignoredFiles: 1, damagedRecords: 1 });
    expect(formatCacheLine(reopened.stats())).toMatch(
      /^cache: 1 hits, 0 misses, \d+ B, 2 damaged entries ignored$/,
    );
    reopened.close();
  });

  it("notices bytes changed on disk after they were scanned and returns a miss, not wrong numbers", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(documents, ["one"], [vector(1)]);
    const [file] = segmentFiles(directory);
    const bytes = readFileSync(file as string);
    bytes[48 + 12 + 32] = (bytes[48 + 12 + 32] as number) ^ 0x01;
    writeFileSync(file as string, bytes);
    expect(cache.get(documents, ["one"])).toEqual([undefined]);
    cache.close();
  });

  it("merges many quiet segments into one, keeping every vector and leaving foreign files alone", async () => {
    for (let run = 0; run < 5; run += 1) {
      const cache = await EmbeddingCache.open(directory);
      cache.put(documents, [`text ${run}`, "shared"], [vector(run), vector(99)]);
      cache.close();
    }
    const folder = join(directory, "embeddings-v1", documents.id);
    writeFileSync(join(folder, "0-foreign.segment"), "written by something else");
    expect(segmentFiles(directory)).toHaveLength(6);
    // Quiet for an hour, rather than a quiet period of 0, which races the clock (see below).
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of segmentFiles(directory)) utimesSync(file, anHourAgo, anHourAgo);

    const compacting = await EmbeddingCache.open(directory, {
      compactAboveSegments: 3,
      compactQuietMilliseconds: 60_000,
    });
    const found = compacting.get(documents, ["text 0", "text 1", "text 2", "text 3", "text 4", "shared"]);
    expect(found).toEqual([vector(0), vector(1), vector(2), vector(3), vector(4), vector(99)]);
    compacting.close();
    const remaining = segmentFiles(directory);
    expect(remaining).toHaveLength(2);
    expect(remaining.some((path) => path.endsWith("0-foreign.segment"))).toBe(true);
    // Six records, each key once: "shared" was written five times.
    const merged = remaining.find((path) => !path.endsWith("0-foreign.segment")) as string;
    expect(readFileSync(merged).length).toBe(48 + 6 * 76);
  });

  it("still merges when a temporary file vanishes while it cleans up (another run's claim coming and going)", async () => {
    for (let run = 0; run < 4; run += 1) {
      const cache = await EmbeddingCache.open(directory);
      cache.put(documents, [`text ${run}`], [vector(run)]);
      cache.close();
    }
    const folder = join(directory, "embeddings-v1", documents.id);
    // Listed by readdir, gone for stat: exactly what another run's claim temporary looks like when it
    // is renamed away between the two calls.
    // All quiet for an hour: a quiet period of 0 would race the clock (a segment written in the same
    // millisecond as the check has an mtime a fraction of a millisecond after Date.now()).
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of segmentFiles(directory)) utimesSync(file, anHourAgo, anHourAgo);
    symlinkSync(join(folder, "nowhere"), join(folder, "embedding.lock.0123456789abcdef.tmp"));
    const compacting = await EmbeddingCache.open(directory, {
      compactAboveSegments: 3,
      compactQuietMilliseconds: 60_000,
    });
    expect(compacting.get(documents, ["text 0", "text 1", "text 2", "text 3"])).toEqual([
      vector(0),
      vector(1),
      vector(2),
      vector(3),
    ]);
    compacting.close();
    expect(segmentFiles(directory)).toHaveLength(1);
  });

  it("starts a new segment when another process merged away the one it was appending to", async () => {
    const writer = await EmbeddingCache.open(directory);
    writer.put(documents, ["before"], [vector(1)]);
    const other = await EmbeddingCache.open(directory, {
      compactAboveSegments: 0,
      compactQuietMilliseconds: 0,
    });
    // A second segment so there are two to merge.
    const second = await EmbeddingCache.open(directory);
    second.put(documents, ["second"], [vector(2)]);
    second.close();
    expect(other.get(documents, ["before", "second"])).toEqual([vector(1), vector(2)]);
    other.close();
    writer.put(documents, ["after"], [vector(3)]);
    writer.close();

    const reader = await EmbeddingCache.open(directory);
    expect(reader.get(documents, ["before", "second", "after"])).toEqual([vector(1), vector(2), vector(3)]);
    reader.close();
  });
});
