import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rememberedFileDigest } from "./remembered-file-digest.js";

const folder = mkdtempSync(join(tmpdir(), "embedeval-remembered-digest-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
/** Settled at once: these tests cannot wait for a ctime three seconds old. */
const now = { settledMilliseconds: -60_000 };

function entryOf(memo: string): { file: string; sha1: string } {
  const [name] = readdirSync(memo);
  const file = join(memo, name as string);
  return { file, sha1: JSON.parse(readFileSync(file, "utf8")).sha1 };
}

describe("rememberedFileDigest", () => {
  it("hashes a file, remembers the digest, and takes it back while the file stats the same", async () => {
    const memo = join(folder, "memo-a");
    const file = join(folder, "a.npy");
    writeFileSync(file, "first bytes");
    expect(await rememberedFileDigest(file, memo, now).digest).toBe(sha1("first bytes"));
    const entry = entryOf(memo);
    expect(entry.sha1).toBe(sha1("first bytes"));
    // Proof that a rerun reads the entry, not the file: a planted digest comes back as it is.
    const planted = JSON.parse(readFileSync(entry.file, "utf8"));
    writeFileSync(entry.file, JSON.stringify({ ...planted, sha1: "0".repeat(40) }));
    expect(await rememberedFileDigest(file, memo, now).digest).toBe("0".repeat(40));
  });

  it("hashes again when the file changed, even to the same size with its old modification time", async () => {
    const memo = join(folder, "memo-b");
    const file = join(folder, "b.npy");
    writeFileSync(file, "aaaa");
    const reference = join(folder, "b-times");
    writeFileSync(reference, "");
    execFileSync("touch", ["-r", file, reference]);
    await rememberedFileDigest(file, memo, now).digest;
    writeFileSync(file, "bbbb");
    // cp -p, rsync -t and touch -r set the modification time back to the nanosecond; the change
    // time moves anyway.
    execFileSync("touch", ["-r", reference, file]);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(statSync(reference, { bigint: true }).mtimeNs);
    expect(await rememberedFileDigest(file, memo, now).digest).toBe(sha1("bbbb"));
    expect(entryOf(memo).sha1).toBe(sha1("bbbb"));
  });

  it("does not remember a file changed within the last seconds (a later write could share its ctime)", async () => {
    const memo = join(folder, "memo-c");
    const file = join(folder, "c.npy");
    writeFileSync(file, "fresh");
    expect(await rememberedFileDigest(file, memo).digest).toBe(sha1("fresh"));
    expect(() => readdirSync(memo)).toThrow();
  });

  it("does not remember a digest when the file changed while it was being hashed", async () => {
    const memo = join(folder, "memo-f");
    const file = join(folder, "f.npy");
    writeFileSync(file, "before");
    const hashing = rememberedFileDigest(file, memo, now);
    // Rewritten after the stat, while the worker starts: which bytes it hashed is unknown.
    writeFileSync(file, "after, longer");
    await hashing.digest;
    expect(() => readdirSync(memo)).toThrow();
    expect(await rememberedFileDigest(file, memo, now).digest).toBe(sha1("after, longer"));
  });

  it("hashes when the entry is damaged or the folder cannot be written, and without a folder", async () => {
    const memo = join(folder, "memo-d");
    const file = join(folder, "d.npy");
    writeFileSync(file, "dddd");
    await rememberedFileDigest(file, memo, now).digest;
    writeFileSync(entryOf(memo).file, '{"sha1": "not a digest"');
    expect(await rememberedFileDigest(file, memo, now).digest).toBe(sha1("dddd"));
    expect(entryOf(memo).sha1).toBe(sha1("dddd"));
    const blocked = join(folder, "a-file-not-a-folder");
    writeFileSync(blocked, "");
    expect(await rememberedFileDigest(file, blocked, now).digest).toBe(sha1("dddd"));
    expect(await rememberedFileDigest(file, undefined).digest).toBe(sha1("dddd"));
  });

  it("keeps one entry per path: two files in one folder do not answer for each other", async () => {
    const memo = join(folder, "memo-e");
    writeFileSync(join(folder, "e1.npy"), "one");
    writeFileSync(join(folder, "e2.npy"), "two");
    await rememberedFileDigest(join(folder, "e1.npy"), memo, now).digest;
    await rememberedFileDigest(join(folder, "e2.npy"), memo, now).digest;
    expect(readdirSync(memo)).toHaveLength(2);
    expect(await rememberedFileDigest(join(folder, "e1.npy"), memo, now).digest).toBe(sha1("one"));
    expect(await rememberedFileDigest(join(folder, "e2.npy"), memo, now).digest).toBe(sha1("two"));
  });
});
