import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DatasetError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  defaultMaxLineBytes,
  type ReadLinesOptions,
  readJsonLineBatches,
  readLineBatches,
  readLines,
} from "./read-lines.js";

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-read-lines-"));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function lines(file: string, options: ReadLinesOptions = {}) {
  const read: { line: string; lineNumber: number }[] = [];
  for await (const entry of readLines(file, options)) read.push(entry);
  return read;
}

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected a DatasetError");
}

describe("readLines", () => {
  it("splits on LF and CRLF, drops a first-line byte-order mark, keeps a last line without newline", async () => {
    const file = join(folder, "a.jsonl");
    await writeFile(file, "\ufeffone\r\ntwo\n\nthré€\nlast");
    expect(await lines(file)).toEqual([
      { line: "one", lineNumber: 1 },
      { line: "two", lineNumber: 2 },
      { line: "", lineNumber: 3 },
      { line: "thré€", lineNumber: 4 },
      { line: "last", lineNumber: 5 },
    ]);
  });

  it("keeps a multi-byte character split across read chunks intact", async () => {
    const file = join(folder, "big.jsonl");
    const line = "é".repeat(100_000);
    await writeFile(file, `${line}\n${line}\n`);
    expect((await lines(file)).map((entry) => entry.line)).toEqual([line, line]);
  });

  it("refuses invalid UTF-8 naming file and line, instead of replacing it", async () => {
    const file = join(folder, "bad.jsonl");
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('{"_id":"ok"}\n{"_id":"bad'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('1"}\n'),
      ]),
    );
    const error = await failure(lines(file));
    expect(error.message).toContain("not valid UTF-8");
    expect(error.file).toBe(file);
    expect(error.line).toBe(2);
  });

  it("refuses a line over the limit naming file and line, before holding it whole", async () => {
    const file = join(folder, "long.jsonl");
    await writeFile(file, `short\n${"x".repeat(5000)}\nafter\n`);
    const error = await failure(lines(file, { maxLineBytes: 1000 }));
    expect(error.message).toContain("longer than the limit");
    expect(error.line).toBe(2);
    expect(await lines(file, { maxLineBytes: 5000 })).toHaveLength(3);
  });

  it("stops a gzip bomb: a 64 MiB+ line of zeros from a small .gz is a DatasetError, not a RangeError", async () => {
    const file = join(folder, "bomb.jsonl.gz");
    await writeFile(file, gzipSync(Buffer.alloc(defaultMaxLineBytes + 1024 * 1024, 0x30)));
    const error = await failure(lines(file));
    expect(error.message).toContain("64 MiB");
    expect(error.line).toBe(1);
  });

  it("stops a .gz that expands past the decompressed limit, naming the line reached", async () => {
    const file = join(folder, "many.tsv.gz");
    await writeFile(file, gzipSync("q\td\t1\n".repeat(10_000)));
    const error = await failure(lines(file, { maxDecompressedBytes: 30_000 }));
    expect(error.message).toContain("when decompressed");
    expect(error.file).toBe(file);
    expect(error.line).toBeGreaterThan(1);
    expect(await lines(file)).toHaveLength(10_000);
  });

  it("names a file that is not gzip data", async () => {
    const file = join(folder, "fake.jsonl.gz");
    await writeFile(file, "not gzip at all");
    const error = await failure(lines(file));
    expect(error.hint).toContain("not valid gzip");
  });

  it("names a line over the limit in the middle of a block, after the lines before it", async () => {
    const file = join(folder, "one-long.tsv");
    await writeFile(file, `q1\td1\t1\r\nq2\td2\t1\n${"x".repeat(60)}\nq4\td4\t1\n`);
    const read: string[] = [];
    const readAll = async () => {
      for await (const { line } of readLines(file, { maxLineBytes: 50 })) read.push(line);
    };
    const error = await failure(readAll());
    expect(error.line).toBe(3);
    expect(read).toEqual(["q1\td1\t1", "q2\td2\t1"]);
    expect(await lines(file, { maxLineBytes: 60 })).toHaveLength(4);
  });

  it("delivers the good lines before a bad one, in batches as in single lines, then fails on it", async () => {
    const file = join(folder, "mixed.jsonl");
    const good = Array.from({ length: 3000 }, (_, index) => `{"_id":"${index}"}`).join("\n");
    await writeFile(
      file,
      Buffer.concat([Buffer.from(`${good}\n{"_id":"x`), Buffer.from([0xff]), Buffer.from('"}\n')]),
    );
    const batched: number[] = [];
    let batches = 0;
    const readAll = async () => {
      for await (const batch of readLineBatches(file)) {
        batches += 1;
        for (const { lineNumber } of batch) batched.push(lineNumber);
      }
    };
    const error = await failure(readAll());
    expect(error.line).toBe(3001);
    // A reader that checks each line (duplicate ids, say) sees all 3,000 good ones before the failure.
    expect(batched).toEqual(Array.from({ length: 3000 }, (_, index) => index + 1));
    // One block read holds them all: the bad line came in the same batch as the good ones.
    expect(batches).toBe(1);
    const records: number[] = [];
    const readRecords = async () => {
      for await (const batch of readJsonLineBatches(file))
        for (const { lineNumber } of batch) records.push(lineNumber);
    };
    expect((await failure(readRecords())).line).toBe(3001);
    expect(records).toHaveLength(3000);
  });
});
