/**
 * One process at a time downloads a given blob, so two runs sharing a cache (a CI machine running jobs
 * side by side) never write the same `.incomplete` file. The lock is a file created exclusively under
 * `<cache>/.locks/<repository folder>/`, where huggingface_hub keeps its own locks; it holds the owner's
 * pid so a lock left by a killed process is taken over. huggingface_hub's own `<etag>.lock` files are
 * `flock`ed, not created exclusively, and stay on disk, so ours has a name of its own.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { systemClock } from "../runtime/runtime-clock.js";

const pollMilliseconds = 200;

export function downloadLockPath(repositoryFolder: string, digest: string): string {
  return join(dirname(repositoryFolder), ".locks", basename(repositoryFolder), `${digest}.embedeval.lock`);
}

export async function withDownloadLock<T>(
  path: string,
  work: () => Promise<T>,
  options: { signal?: AbortSignal; onWait?: () => void } = {},
): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  let waited = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    // Our own pid: left by an earlier process that had it (this one never downloads a blob twice at once).
    if (owner === process.pid || !isAlive(owner)) {
      // Left by a process that is gone (or still being written: then the next round sees the pid).
      if (owner > 0) await rm(path, { force: true });
      else await systemClock.sleep(pollMilliseconds, options.signal);
      continue;
    }
    if (!waited) options.onWait?.();
    waited = true;
    await systemClock.sleep(pollMilliseconds, options.signal);
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
