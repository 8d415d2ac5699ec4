/**
 * A file's SHA-1, remembered between runs the way git's index remembers a file's blob: beside the
 * digest, the file's device, inode, size, modification and change times (nanoseconds). A rerun whose
 * file stats the same takes the remembered digest instead of reading and hashing the file again (a
 * 310 MB .npy: 0.5 s of a worker's reading and hashing, 0.2 s of which the run waited for).
 *
 * Why the stat can stand for the bytes: the change time (ctime) is set by the kernel on every write,
 * rename or chmod, and no user-level call can set it back (touch, cp -p, rsync -t and git checkout set
 * the modification time, not ctime). The one gap is a write within the same timestamp tick as the
 * stat that was remembered, which a coarse clock would stamp with the same ctime; so a digest is only
 * remembered for a file whose ctime is `settledMilliseconds` older than the start of the hashing (git
 * calls this the "racy" case and rehashes such files too). A file modified after that is stamped with
 * a later ctime, even on a filesystem with 2-second timestamps.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type FileDigestOffThread, fileDigestOffThread } from "./file-digest-off-thread.js";

/** A ctime at least this much older than the hashing's start cannot hide a later write (see above). */
export const settledMilliseconds = 3000;

/** What stands for a file's bytes: its path and stat, as strings (JSON has no bigint). */
interface FileStat {
  path: string;
  device: string;
  inode: string;
  size: string;
  modifiedNanoseconds: string;
  changedNanoseconds: string;
}

const statFields = ["path", "device", "inode", "size", "modifiedNanoseconds", "changedNanoseconds"] as const;

interface RememberedDigest extends FileStat {
  sha1: string;
}

/** The file's stat, or undefined if it cannot be read; with the change time in ms for the settle check. */
function statOf(path: string): { stat: FileStat; changedMilliseconds: number } | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return {
      stat: {
        path,
        device: String(stats.dev),
        inode: String(stats.ino),
        size: String(stats.size),
        modifiedNanoseconds: String(stats.mtimeNs),
        changedNanoseconds: String(stats.ctimeNs),
      },
      changedMilliseconds: Number(stats.ctimeNs / 1_000_000n),
    };
  } catch {
    return undefined;
  }
}

function sameStat(left: FileStat, right: FileStat): boolean {
  return statFields.every((field) => left[field] === right[field]);
}

/**
 * The SHA-1 of `path`'s bytes: remembered in `folder` (one small JSON file per path) when the file
 * stats as it did when it was hashed, else hashed in a worker thread (fileDigestOffThread) and
 * remembered for the next run. Without a folder (a run without a cache), always hashed. Remembering is
 * best effort: a folder that cannot be written or a damaged entry only costs the hashing.
 * `settledMilliseconds` exists for tests.
 */
export function rememberedFileDigest(
  path: string,
  folder: string | undefined,
  options: { settledMilliseconds?: number } = {},
): FileDigestOffThread {
  if (folder === undefined) return fileDigestOffThread(path);
  const settled = options.settledMilliseconds ?? settledMilliseconds;
  const absolute = resolve(path);
  const entryFile = join(
    folder,
    `file-digest-${createHash("sha256").update(absolute).digest("hex").slice(0, 32)}.json`,
  );
  const before = statOf(absolute);
  const remembered = before === undefined ? undefined : readEntry(entryFile);
  if (before !== undefined && remembered !== undefined && sameStat(remembered, before.stat)) {
    return { digest: Promise.resolve(remembered.sha1), stop: () => {} };
  }
  const started = Date.now();
  const hashing = fileDigestOffThread(absolute);
  const digest = hashing.digest.then((sha1) => {
    const after = statOf(absolute);
    // Remembered only if the file did not change while it was read, and is settled (see above).
    if (
      before !== undefined &&
      after !== undefined &&
      sameStat(before.stat, after.stat) &&
      after.changedMilliseconds < started - settled
    ) {
      writeEntry(folder, entryFile, { ...after.stat, sha1 });
    }
    return sha1;
  });
  digest.catch(() => {});
  return { digest, stop: hashing.stop };
}

function readEntry(file: string): RememberedDigest | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<RememberedDigest>;
    if (statFields.some((field) => typeof value[field] !== "string")) return undefined;
    if (typeof value.sha1 !== "string" || !/^[0-9a-f]{40}$/.test(value.sha1)) return undefined;
    return value as RememberedDigest;
  } catch {
    return undefined;
  }
}

function writeEntry(folder: string, file: string, entry: RememberedDigest): void {
  // Written whole, then renamed into place: a concurrent run reads the old entry or the new one.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(temporary, file);
  } catch {
    // Best effort: the next run hashes the file again. A half-written entry is not left behind.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is not there (or not a folder): nothing was written.
    }
  }
}
