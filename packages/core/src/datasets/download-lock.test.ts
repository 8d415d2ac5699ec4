import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downloadLockPath, withDownloadLock } from "./download-lock.js";

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), "embedeval-lock-"));
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe("withDownloadLock", () => {
  it("waits while another live process holds the lock, then takes it; removes it after", async () => {
    const path = downloadLockPath(join(cache, "datasets--org--set"), "abc");
    expect(path).toBe(join(cache, ".locks", "datasets--org--set", "abc.embedeval.lock"));
    await mkdir(dirname(path), { recursive: true });
    // Another process holding the lock: it is alive for a moment, then exits without cleaning up.
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600)"]);
    const exited = new Promise<number>((resolve) => holder.on("exit", () => resolve(Date.now())));
    await writeFile(path, String(holder.pid));
    let waited = false;
    const ranAt = await withDownloadLock(path, async () => Date.now(), { onWait: () => (waited = true) });
    expect(waited).toBe(true);
    expect(ranAt).toBeGreaterThanOrEqual(await exited);
    expect(await readdir(dirname(path))).toEqual([]);
  });

  it("takes over a lock left by a process that is gone", async () => {
    const path = downloadLockPath(join(cache, "datasets--org--set"), "abc");
    await mkdir(dirname(path), { recursive: true });
    // Pids are below 2^22 on Linux; this one cannot be running.
    await writeFile(path, String(2 ** 30));
    expect(await withDownloadLock(path, async () => "done")).toBe("done");
  });
});
