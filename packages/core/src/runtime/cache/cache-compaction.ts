import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { CacheNamespace } from "./cache-namespace.js";
import {
  encodeSegmentHeader,
  type RecordLocation,
  recordHeaderBytes,
  scanSegment,
} from "./cache-segment-format.js";

/**
 * Merges the quiet segments of a namespace into one: verified records only, each key once. Runs under
 * a lock file so two processes do not merge at once; a lock left by a killed process expires after
 * the quiet period. Removed segments that another process still has open stay readable to it.
 */
export function compactSegments(
  folder: string,
  namespace: CacheNamespace,
  names: readonly string[],
  quietMilliseconds: number,
): boolean {
  const lock = join(folder, "compact.lock");
  const now = Date.now();
  try {
    try {
      closeSync(openSync(lock, "wx"));
    } catch {
      if (now - statSync(lock).mtimeMs < quietMilliseconds) return false;
      unlinkSync(lock);
      closeSync(openSync(lock, "wx"));
    }
  } catch {
    return false; // someone else is compacting, or the folder is read-only: just read the segments
  }
  const temporary = join(folder, `compacting-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  let output: number | undefined;
  try {
    const quietNames = names.filter(
      (name) => now - statSync(join(folder, name)).mtimeMs >= quietMilliseconds,
    );
    const latest = new Map<string, { file: number; location: RecordLocation }>();
    // Only segments of this format and namespace are merged and removed: a file written by a newer
    // version of embedeval, or anything foreign, is left alone.
    const quiet: string[] = [];
    for (const name of quietNames) {
      const file = quiet.length;
      const found: [string, RecordLocation][] = [];
      const scan = scanSegment(join(folder, name), namespace.digest, (key, offset, payloadLength) =>
        found.push([key, { offset, payloadLength }]),
      );
      if (!scan.valid) continue;
      quiet.push(name);
      for (const [key, location] of found) latest.set(key, { file, location });
    }
    // Temporaries left by a killed compaction or claim. Another run's claim temporaries come and go
    // while we look: one vanishing between the listing and the stat must not abandon the compaction.
    for (const name of readdirSync(folder)) {
      if (!name.endsWith(".tmp")) continue;
      const path = join(folder, name);
      try {
        if (now - statSync(path).mtimeMs >= quietMilliseconds) unlinkSync(path);
      } catch {
        // Gone meanwhile: nothing to clean.
      }
    }
    if (quiet.length < 2) return false;
    output = openSync(temporary, "wx");
    let position = 0;
    const header = encodeSegmentHeader(namespace.digest);
    position += writeSync(output, header, 0, header.length, position);
    const byFile: RecordLocation[][] = quiet.map(() => []);
    for (const entry of latest.values()) byFile[entry.file]?.push(entry.location);
    for (let file = 0; file < quiet.length; file += 1) {
      const entries = (byFile[file] as RecordLocation[]).sort((left, right) => left.offset - right.offset);
      if (entries.length === 0) continue;
      const input = openSync(join(folder, quiet[file] as string), "r");
      try {
        for (const location of entries) {
          const length = recordHeaderBytes + location.payloadLength;
          const record = Buffer.allocUnsafe(length);
          if (readSync(input, record, 0, length, location.offset) !== length) continue;
          position += writeSync(output, record, 0, length, position);
        }
      } finally {
        closeSync(input);
      }
    }
    fdatasyncSync(output);
    closeSync(output);
    output = undefined;
    const merged = `${String(now).padStart(14, "0")}-${process.pid}-${randomBytes(4).toString("hex")}.segment`;
    renameSync(temporary, join(folder, merged));
    for (const name of quiet) {
      try {
        unlinkSync(join(folder, name));
      } catch {
        // Already gone, or held open on a system that refuses: it stays, and is read as before.
      }
    }
    // The indexes of merged segments, and any other left beside a segment that is gone.
    for (const name of readdirSync(folder)) {
      if (!name.endsWith(".segment.index") || existsSync(join(folder, name.slice(0, -".index".length))))
        continue;
      try {
        unlinkSync(join(folder, name));
      } catch {
        // Removed by another run meanwhile.
      }
    }
    return true;
  } catch {
    // Compaction is housekeeping: on any problem the original segments stay and are read as they are.
    return false;
  } finally {
    if (output !== undefined) closeSync(output);
    if (existsSync(temporary)) unlinkSync(temporary);
    try {
      unlinkSync(lock);
    } catch {
      // Removed by someone who judged it stale; nothing to do.
    }
  }
}
