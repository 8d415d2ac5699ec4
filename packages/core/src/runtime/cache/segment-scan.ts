import { closeSync, fstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { CacheNamespace } from "./cache-namespace.js";
import { openRegularFile, scanSegment } from "./cache-segment-format.js";
import type { CacheCounters, LoadedNamespace } from "./loaded-namespace.js";
import { indexSegmentsFromBytes, readSegmentIndex, writeSegmentIndex } from "./segment-index-file.js";

/**
 * Scans and indexes every segment file of the folder not yet known. Each is kept open from the scan
 * on. A file listed but gone when opened was merged by another run's compaction, which renames its
 * merged segment into place before unlinking the old ones: listing again then finds the merged one
 * (a reader that listed before the rename and opened after the unlink would otherwise lose them all).
 */
export function addNewSegments(loaded: LoadedNamespace, counters: CacheCounters): void {
  const known = new Set(loaded.segments.map((segment) => segment.path));
  for (let listing = 0; listing < 5; listing += 1) {
    let vanished = false;
    for (const name of segmentNames(loaded.folder)) {
      const path = join(loaded.folder, name);
      if (known.has(path)) continue;
      known.add(path);
      let descriptor: number | undefined;
      try {
        descriptor = openRegularFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") vanished = true;
        else counters.ignoredFiles += 1; // unreadable (permissions): treat as absent
        continue;
      }
      if (descriptor === undefined) {
        counters.ignoredFiles += 1; // a FIFO, a folder, a device: not ours
        continue;
      }
      const segmentIndex = loaded.segments.length;
      try {
        // The records an index file beside the segment lists are not read again (see segment-index-file.ts).
        const digest = loaded.namespace.digest;
        const saved = readSegmentIndex(path, digest, fstatSync(descriptor).size);
        const keys: string[] = saved?.keys ?? [];
        const offsets: number[] = saved?.offsets ?? [];
        const lengths: number[] = saved?.payloadLengths ?? [];
        const scan = scanSegment(
          descriptor,
          digest,
          (key, offset, payloadLength) => {
            keys.push(key);
            offsets.push(offset);
            lengths.push(payloadLength);
          },
          saved?.coveredBytes,
        );
        if (!scan.valid) {
          closeSync(descriptor);
          counters.ignoredFiles += 1;
          continue;
        }
        // Saved (or saved again) when there is much to skip next time that was read this time.
        if (scan.verifiedEnd - (saved?.coveredBytes ?? 0) >= indexSegmentsFromBytes) {
          writeSegmentIndex(path, digest, {
            coveredBytes: scan.verifiedEnd,
            keys,
            offsets,
            payloadLengths: lengths,
          });
        }
        // Indexed only once the whole file scanned cleanly, so a read error midway adds nothing.
        for (let record = 0; record < keys.length; record += 1) {
          loaded.index.set(keys[record] as string, {
            segment: segmentIndex,
            offset: offsets[record] as number,
            payloadLength: lengths[record] as number,
          });
        }
        counters.damagedRecords += scan.damagedRecords;
        loaded.segments.push({ path, descriptor, writable: false, size: scan.size });
      } catch {
        closeSync(descriptor);
        counters.ignoredFiles += 1;
      }
    }
    if (!vanished) return;
  }
}

/** Segments of other runs that grew since they were scanned (they were still writing) are read again. */
export function rescanGrownSegments(loaded: LoadedNamespace, namespace: CacheNamespace): void {
  loaded.segments.forEach((segment, segmentIndex) => {
    if (segment.writable || segment.descriptor === undefined) return;
    try {
      if (fstatSync(segment.descriptor).size <= segment.size) return;
      const scan = scanSegment(segment.descriptor, namespace.digest, (key, offset, payloadLength) =>
        loaded.index.set(key, { segment: segmentIndex, offset, payloadLength }),
      );
      if (scan.valid) segment.size = scan.size;
    } catch {
      // Unreadable now: what was indexed before is still read (or found damaged) as it was.
    }
  });
}

export function segmentNames(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".segment"))
    .sort();
}
