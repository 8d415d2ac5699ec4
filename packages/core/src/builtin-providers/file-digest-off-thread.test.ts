import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { afterAll, describe, expect, it } from "vitest";
import { fileDigestOffThread } from "./file-digest-off-thread.js";

const folder = mkdtempSync(join(tmpdir(), "embedeval-digest-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("fileDigestOffThread", () => {
  it("gives the digest of every byte, across the worker's 8 MB pieces", async () => {
    // 8 MB and a bit: the last piece is short, and a piece boundary falls inside the file.
    const bytes = randomBytes(8 * 1024 * 1024 + 12_345);
    const file = join(folder, "large.bin");
    writeFileSync(file, bytes);
    expect(await fileDigestOffThread(file).digest).toBe(createHash("sha1").update(bytes).digest("hex"));
    writeFileSync(join(folder, "empty.bin"), "");
    expect(await fileDigestOffThread(join(folder, "empty.bin")).digest).toBe(
      createHash("sha1").digest("hex"),
    );
  });

  it("rejects with a DatasetError naming the file it cannot read", async () => {
    const missing = join(folder, "missing.npy");
    const digest = fileDigestOffThread(missing).digest;
    await expect(digest).rejects.toBeInstanceOf(DatasetError);
    await expect(digest).rejects.toThrow(`Cannot read ${missing}: ENOENT.`);
  });

  it("stops on request, and the digest then rejects instead of hanging", async () => {
    const file = join(folder, "large.bin");
    const running = fileDigestOffThread(file);
    running.stop();
    await expect(running.digest).rejects.toThrow("the hashing worker stopped");
  });
});
