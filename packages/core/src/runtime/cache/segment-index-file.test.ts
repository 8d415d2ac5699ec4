import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheNamespace } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";
import { indexSegmentsFromBytes, segmentIndexPath, writeSegmentIndex } from "./segment-index-file.js";

const documents = cacheNamespace({
  provider: "test",
  model: "index",
  vectorOptions: {},
  inputType: "document",
});
const dimension = 256;
/** Records of 12 + 32 + 1,024 bytes: this many make a segment just past the size that gets an index. */
const recordCount = Math.ceil(indexSegmentsFromBytes / (12 + 32 + dimension * 4)) + 10;
const texts = Array.from({ length: recordCount }, (_, index) => `text ${index}`);
const vectorOf = (row: number) =>
  Float32Array.from({ length: dimension }, (_, value) => Math.sin(row * 7 + value));

function files(directory: string, suffix: string): string[] {
  const folder = join(directory, "embeddings-v1", documents.id);
  return readdirSync(folder)
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(folder, name));
}

/** An index of the (only) segment's first `count` records, read from its bytes. */
function indexOfFirst(segment: string, count: number) {
  const bytes = readFileSync(segment);
  const recordBytes = 12 + 32 + dimension * 4;
  const index = {
    coveredBytes: 48 + count * recordBytes,
    keys: [] as string[],
    offsets: [] as number[],
    payloadLengths: [] as number[],
  };
  for (let row = 0; row < count; row += 1) {
    const offset = 48 + row * recordBytes;
    index.keys.push(bytes.toString("base64", offset + 12, offset + 12 + 32));
    index.offsets.push(offset);
    index.payloadLengths.push(32 + dimension * 4);
  }
  return index;
}

/** Flips one byte of the vector of record `row` of the (only) segment. */
function damageRecord(directory: string, row: number): void {
  const [segment] = files(directory, ".segment");
  const bytes = readFileSync(segment as string);
  const at = 48 + row * (12 + 32 + dimension * 4) + 12 + 32 + 5;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  writeFileSync(segment as string, bytes);
}

describe("segment index files", () => {
  let directory: string;
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-segment-index-"));
    const writer = await EmbeddingCache.open(directory);
    writer.put(
      documents,
      texts,
      texts.map((_, row) => vectorOf(row)),
    );
    writer.close();
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("is saved beside a large segment by the run that wrote it, and the next run loads every vector through it", async () => {
    const [segment] = files(directory, ".segment");
    expect(existsSync(segmentIndexPath(segment as string))).toBe(true);
    // A record damaged after the index was saved: loading through the index does not read it (the scan
    // would have counted it), but reading it still verifies it, finds the damage and drops it.
    damageRecord(directory, 3);
    const reader = await EmbeddingCache.open(directory);
    expect(reader.cachedDimensions(documents, texts).every((found) => found === dimension)).toBe(true);
    expect(reader.stats().damagedRecords).toBe(0);
    const found = reader.get(documents, texts);
    expect(found[3]).toBeUndefined();
    expect(reader.stats().damagedRecords).toBe(1);
    for (const row of [0, 1, 2, 4, recordCount - 1]) expect(found[row]).toEqual(vectorOf(row));
    reader.close();
  });

  it("is ignored when it does not agree with its segment, and the segment is scanned as before", async () => {
    const [segment] = files(directory, ".segment");
    const indexPath = segmentIndexPath(segment as string);
    const saved = readFileSync(indexPath);
    const variants: [string, () => void][] = [
      ["a flipped byte", () => writeFileSync(indexPath, Buffer.from(saved).fill(0x41, 100, 101))],
      ["cut short", () => writeFileSync(indexPath, saved.subarray(0, saved.length - 50))],
      [
        "another namespace's",
        () =>
          writeSegmentIndex(
            segment as string,
            cacheNamespace({ provider: "test", model: "other", vectorOptions: {}, inputType: "document" })
              .digest,
            indexOfFirst(segment as string, recordCount),
          ),
      ],
      ["a folder", () => mkdirSync(indexPath)],
      ["a FIFO", () => execFileSync("mkfifo", [indexPath])],
    ];
    damageRecord(directory, 3);
    for (const [name, plant] of variants) {
      rmSync(indexPath, { recursive: true, force: true });
      plant();
      const reader = await EmbeddingCache.open(directory);
      // Scanned whole: the damaged record is counted at load, every other vector is there.
      expect(
        reader.cachedDimensions(documents, texts).filter((found) => found === undefined),
        name,
      ).toHaveLength(1);
      expect(reader.stats().damagedRecords, name).toBe(1);
      const found = reader.get(documents, texts);
      expect(found[recordCount - 1], name).toEqual(vectorOf(recordCount - 1));
      reader.close();
    }
  });

  it("covers what was verified when saved: records written later are scanned, and an index covering more than the segment is ignored", async () => {
    const [segment] = files(directory, ".segment");
    const indexPath = segmentIndexPath(segment as string);
    // An index that covers only the first 100 records, as a reader saves while the writer still appends.
    const firstHundred = indexOfFirst(segment as string, 100);
    const bytes = readFileSync(segment as string);
    rmSync(indexPath);
    writeSegmentIndex(segment as string, documents.digest, firstHundred);
    damageRecord(directory, 3); // covered: not read at load
    damageRecord(directory, 200); // not covered: scanned, counted
    const reader = await EmbeddingCache.open(directory);
    const dimensions = reader.cachedDimensions(documents, texts);
    expect(dimensions.filter((found) => found === undefined)).toHaveLength(1);
    expect(dimensions[200]).toBeUndefined();
    expect(reader.stats().damagedRecords).toBe(1);
    expect(reader.get(documents, [texts[recordCount - 1] as string])).toEqual([vectorOf(recordCount - 1)]);
    reader.close();

    // Covering more bytes than the segment has: not this segment's index.
    writeSegmentIndex(segment as string, documents.digest, {
      ...firstHundred,
      coveredBytes: bytes.length + 4,
    });
    const again = await EmbeddingCache.open(directory);
    expect(again.cachedDimensions(documents, texts).filter((found) => found === undefined)).toHaveLength(2);
    expect(again.stats().damagedRecords).toBe(2);
    again.close();
  });

  it("is removed with its segment when segments are merged", async () => {
    for (let run = 0; run < 3; run += 1) {
      const cache = await EmbeddingCache.open(directory);
      cache.put(documents, [`small ${run}`], [vectorOf(run)]);
      cache.close();
    }
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of files(directory, ".segment")) utimesSync(file, anHourAgo, anHourAgo);
    expect(files(directory, ".segment.index")).toHaveLength(1);
    const compacting = await EmbeddingCache.open(directory, {
      compactAboveSegments: 2,
      compactQuietMilliseconds: 60_000,
    });
    expect(compacting.get(documents, ["small 0", texts[7] as string])).toEqual([vectorOf(0), vectorOf(7)]);
    compacting.close();
    expect(files(directory, ".segment")).toHaveLength(1);
    // The merged segment's own index was saved by the run that scanned it; the old one is gone.
    const indexes = files(directory, ".segment.index");
    expect(indexes).toEqual(files(directory, ".segment").map(segmentIndexPath));
  });
});
