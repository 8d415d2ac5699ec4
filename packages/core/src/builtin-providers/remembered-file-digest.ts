/**
 * A file's SHA-1, remembered between runs the way git's index remembers a file's blob: beside the
 * digest, the file's stamp (runtime/file-stamp.ts: device, inode, size, modification and change times).
 * A rerun whose file stamps the same takes the remembered digest instead of reading and hashing the
 * file again (a 310 MB .npy: 0.5 s of a worker's reading and hashing, 0.2 s of which the run waited
 * for). Only a settled file's digest is remembered (see file-stamp.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type FileStamp,
  fileStamp,
  holdsFileStamp,
  sameFileStamp,
  settledMilliseconds,
  writeFileWhole,
} from "../runtime/file-stamp.js";
import { type FileDigestOffThread, fileDigestOffThread } from "./file-digest-off-thread.js";

interface RememberedDigest extends FileStamp {
  sha1: string;
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
  const before = fileStamp(absolute);
  const remembered = before === undefined ? undefined : readEntry(entryFile);
  if (before !== undefined && remembered !== undefined && sameFileStamp(remembered, before.stamp)) {
    return { digest: Promise.resolve(remembered.sha1), stop: () => {} };
  }
  const started = Date.now();
  const hashing = fileDigestOffThread(absolute);
  const digest = hashing.digest.then((sha1) => {
    const after = fileStamp(absolute);
    // Remembered only if the file did not change while it was read, and is settled (see above).
    if (
      before !== undefined &&
      after !== undefined &&
      sameFileStamp(before.stamp, after.stamp) &&
      after.changedMilliseconds < started - settled
    ) {
      writeFileWhole(folder, entryFile, `${JSON.stringify({ ...after.stamp, sha1 }, null, 2)}\n`);
    }
    return sha1;
  });
  digest.catch(() => {});
  return { digest, stop: hashing.stop };
}

function readEntry(file: string): RememberedDigest | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<RememberedDigest>;
    if (!holdsFileStamp(value)) return undefined;
    if (typeof value.sha1 !== "string" || !/^[0-9a-f]{40}$/.test(value.sha1)) return undefined;
    return value as RememberedDigest;
  } catch {
    return undefined;
  }
}
