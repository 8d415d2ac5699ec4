import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBeirFolder } from "./beir-folder-loader.js";

const root = mkdtempSync(join(tmpdir(), "embedeval-corpus-snapshot-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Settled at once: these tests cannot wait for a ctime three seconds old. */
const settledNow = -60_000;

function beirFolder(name: string, texts: string[]): string {
  const folder = join(root, name);
  mkdirSync(join(folder, "qrels"), { recursive: true });
  writeFileSync(
    join(folder, "corpus.jsonl"),
    texts.map((text, index) => `${JSON.stringify({ _id: `d${index}`, title: "", text })}\n`).join(""),
  );
  writeFileSync(join(folder, "queries.jsonl"), `${JSON.stringify({ _id: "q1", text: "a question" })}\n`);
  writeFileSync(join(folder, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td0\t1\n");
  return folder;
}

const load = (folder: string, snapshots?: string, settledMilliseconds = settledNow) =>
  loadBeirFolder({
    folder,
    split: "test",
    name: "snapshot",
    ...(snapshots === undefined ? {} : { corpusSnapshots: { directory: snapshots, settledMilliseconds } }),
  });

function snapshotOf(directory: string): { file: string; value: Record<string, unknown> } {
  const names = readdirSync(directory).filter((name) => name.endsWith(".json"));
  expect(names).toHaveLength(1);
  const file = join(directory, names[0] as string);
  return { file, value: JSON.parse(readFileSync(file, "utf8")) };
}

describe("corpus snapshots", () => {
  it("keeps a parsed corpus and reads it back while the file is unchanged, with the same dataset", async () => {
    const folder = beirFolder("a", ["first", "second", "third"]);
    const snapshots = join(root, "snapshots-a");
    const parsed = await load(folder, snapshots);
    const { file, value } = snapshotOf(snapshots);
    expect(value.ids).toEqual(["d0", "d1", "d2"]);
    const again = await load(folder, snapshots);
    expect(again).toEqual(parsed);
    // Proof that the second load read the snapshot, not the corpus file: a planted text comes back.
    writeFileSync(file, JSON.stringify({ ...value, texts: ["planted", "second", "third"] }));
    const planted = await load(folder, snapshots);
    expect(planted.corpus[0]?.text).toBe("planted");
    expect(planted.contentHash).toBe(parsed.contentHash);
  });

  it("parses again when the corpus changed, even to the same size with its old modification time", async () => {
    const folder = beirFolder("b", ["aaaa", "bbbb"]);
    const snapshots = join(root, "snapshots-b");
    const first = await load(folder, snapshots);
    const corpusFile = join(folder, "corpus.jsonl");
    const reference = join(root, "b-times");
    execFileSync("touch", ["-r", corpusFile, reference]);
    writeFileSync(corpusFile, readFileSync(corpusFile, "utf8").replace("aaaa", "cccc"));
    // The modification time set back to the nanosecond: only the change time tells.
    execFileSync("touch", ["-r", reference, corpusFile]);
    const second = await load(folder, snapshots);
    expect(second.corpus[0]?.text).toBe("cccc");
    expect(second.contentHash).not.toBe(first.contentHash);
    expect(snapshotOf(snapshots).value.texts).toEqual(["cccc", "bbbb"]);
  });

  it("ignores a damaged or inconsistent snapshot and parses the corpus", async () => {
    const folder = beirFolder("c", ["one", "two"]);
    const snapshots = join(root, "snapshots-c");
    const parsed = await load(folder, snapshots);
    const { file, value } = snapshotOf(snapshots);
    for (const damaged of [
      "{ not json",
      JSON.stringify({ ...value, ids: ["d0", "d0"] }),
      JSON.stringify({ ...value, texts: ["one"] }),
      JSON.stringify({ ...value, sha256: "not a digest" }),
      JSON.stringify({ ...value, version: 2 }),
      JSON.stringify({ ...value, stamps: [] }),
    ]) {
      writeFileSync(file, damaged);
      expect(await load(folder, snapshots), damaged.slice(0, 40)).toEqual(parsed);
    }
  });

  it("keeps nothing for a corpus that may still be changing, or without a directory", async () => {
    const folder = beirFolder("d", ["fresh"]);
    const snapshots = join(root, "snapshots-d");
    // Just written, so not settled by the default rule: a write in the same clock tick could hide.
    await load(folder, snapshots, 3000);
    expect(existsSync(snapshots)).toBe(false);
    await load(folder);
    expect(existsSync(snapshots)).toBe(false);
    // Nor for a corpus too large for one JSON text (here, over 6 characters: it has 7).
    await loadBeirFolder({
      folder,
      split: "test",
      name: "snapshot",
      corpusSnapshots: { directory: snapshots, settledMilliseconds: settledNow, largestCorpusCharacters: 6 },
    });
    expect(existsSync(snapshots)).toBe(false);
    await load(folder, snapshots);
    expect(existsSync(snapshots)).toBe(true);
  });
});
