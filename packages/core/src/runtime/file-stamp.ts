/**
 * What stands for a file's bytes between runs, the way git's index does it: its path, device, inode,
 * size, modification and change times (nanoseconds). Something derived from the bytes (a digest, a
 * parsed copy) may be remembered beside the stamp and taken back while the file stamps the same.
 *
 * Why the stamp can stand for the bytes: the change time (ctime) is set by the kernel on every write,
 * rename or chmod, and no user-level call can set it back (touch, cp -p, rsync -t and git checkout set
 * the modification time, not ctime). The one gap is a write within the same timestamp tick as the
 * stamp that was remembered, which a coarse clock would give the same ctime; so something is only
 * remembered for a file whose ctime is `settledMilliseconds` older than the start of its reading (git
 * calls this the "racy" case and rereads such files too). A file modified after that gets a later
 * ctime, even on a filesystem with 2-second timestamps.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";

/** A ctime at least this much older than the reading's start cannot hide a later write (see above). */
export const settledMilliseconds = 3000;

/** A file's stamp, as strings (JSON has no bigint). */
export interface FileStamp {
  path: string;
  device: string;
  inode: string;
  size: string;
  modifiedNanoseconds: string;
  changedNanoseconds: string;
}

export const fileStampFields = [
  "path",
  "device",
  "inode",
  "size",
  "modifiedNanoseconds",
  "changedNanoseconds",
] as const;

/** The file's stamp, or undefined if it cannot be read; with the change time in ms for the settle check. */
export function fileStamp(path: string): { stamp: FileStamp; changedMilliseconds: number } | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return {
      stamp: {
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

export function sameFileStamp(left: FileStamp, right: FileStamp): boolean {
  return fileStampFields.every((field) => left[field] === right[field]);
}

/** Whether `value` holds every stamp field as a string (a remembered entry read back from JSON). */
export function holdsFileStamp(value: Partial<Record<(typeof fileStampFields)[number], unknown>>): boolean {
  return fileStampFields.every((field) => typeof value[field] === "string");
}

/**
 * Writes `text` to `file` whole, then renames it into place, so a concurrent run reads the old file or
 * the new one. Best effort: a folder that cannot be written leaves nothing behind and returns false.
 */
export function writeFileWhole(folder: string, file: string, text: string): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is not there (or not a folder): nothing was written.
    }
    return false;
  }
}
