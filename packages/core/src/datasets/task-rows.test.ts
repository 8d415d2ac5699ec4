import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readTaskRows } from "./task-rows.js";

const folder = mkdtempSync(join(tmpdir(), "task-rows-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("readTaskRows", () => {
  it("reads JSON Lines, gzipped or not", async () => {
    const lines =
      '{"sentence1":"a","sentence2":"b","score":3}\n{"sentence1":"c","sentence2":"d","score":1}\n';
    writeFileSync(join(folder, "test.jsonl"), lines);
    writeFileSync(join(folder, "test.jsonl.gz"), gzipSync(lines));
    const plain = await readTaskRows(join(folder, "test.jsonl"));
    const zipped = await readTaskRows(join(folder, "test.jsonl.gz"));
    expect(plain.rows.map((row) => row.value.sentence2)).toEqual(["b", "d"]);
    expect(zipped.rows.map((row) => row.value)).toEqual(plain.rows.map((row) => row.value));
    expect(zipped.contentHash).not.toBe(plain.contentHash);
  });

  it("expands MTEB's v1 one-row-of-lists layout (json.gz) when asked", async () => {
    const document = JSON.stringify([{ sent1: ["a", "b", "c"], sent2: ["x", "y", "z"], labels: [1, 0, 1] }]);
    writeFileSync(join(folder, "pairs.json.gz"), gzipSync(document));
    const expanded = await readTaskRows(join(folder, "pairs.json.gz"), { expandListRow: true });
    expect(expanded.rows.map((row) => row.value)).toEqual([
      { sent1: "a", sent2: "x", labels: 1 },
      { sent1: "b", sent2: "y", labels: 0 },
      { sent1: "c", sent2: "z", labels: 1 },
    ]);
    const kept = await readTaskRows(join(folder, "pairs.json.gz"));
    expect(kept.rows).toHaveLength(1);
  });

  it("names the file and line of a malformed row", async () => {
    writeFileSync(join(folder, "bad.jsonl"), '{"text":"fine","label":1}\n{"text": broken}\n');
    await expect(readTaskRows(join(folder, "bad.jsonl"))).rejects.toMatchObject({ line: 2 });
  });

  it("refuses invalid UTF-8 in a JSON document, naming the line, instead of replacing it", async () => {
    const file = join(folder, "bad.json");
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('[\n{"text":"ok"},\n{"text":"bad'),
        Buffer.from([0xff]),
        Buffer.from('"}\n]\n'),
      ]),
    );
    await expect(readTaskRows(file)).rejects.toMatchObject({
      message: "The line is not valid UTF-8.",
      file,
      line: 3,
    });
  });

  it("stops a gzip bomb in a JSON document with a named error", async () => {
    const file = join(folder, "bomb.json.gz");
    writeFileSync(file, gzipSync(Buffer.alloc(257 * 1024 * 1024, 0x20)));
    await expect(readTaskRows(file)).rejects.toMatchObject({
      message: expect.stringContaining("when decompressed"),
      file,
    });
  });
});
