import { randomBytes } from "node:crypto";
import { existsSync, fstatSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { encodeSegmentHeader, segmentHeaderBytes } from "./cache-segment-format.js";
import { type CacheCounters, describeError, type LoadedNamespace, type Segment } from "./loaded-namespace.js";

/**
 * The segment this process appends the namespace's records to, created (with the namespace folder and
 * its description) on first use or when another run's compaction took the old one away.
 */
export function writerFor(loaded: LoadedNamespace, counters: CacheCounters): Segment {
  // Another process's compaction may have merged and removed our segment while we sat idle for
  // longer than the quiet period: appending to the unlinked file would lose the records.
  if (loaded.writer && fstatSync(loaded.writer.descriptor as number).nlink > 0) return loaded.writer;
  if (loaded.writer) loaded.writer.writable = false;
  try {
    if (!existsSync(loaded.folder)) mkdirSync(loaded.folder, { recursive: true });
    const description = join(loaded.folder, "namespace.json");
    if (!existsSync(description)) {
      // Written beside, then renamed: a reader never sees half a description.
      const temporary = `${description}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(loaded.namespace.description, null, 2)}\n`);
      renameSync(temporary, description);
    }
    const name = `${Date.now().toString().padStart(14, "0")}-${process.pid}-${randomBytes(4).toString("hex")}.segment`;
    const path = join(loaded.folder, name);
    // "wx+": created by us alone (O_EXCL), readable back for lookups in the same run.
    const descriptor = openSync(path, "wx+");
    const header = encodeSegmentHeader(loaded.namespace.digest);
    writeSync(descriptor, header, 0, header.length, 0);
    const segment: Segment = { path, descriptor, writable: true, size: segmentHeaderBytes };
    loaded.segments.push(segment);
    loaded.writer = segment;
    counters.bytes += segmentHeaderBytes;
    return segment;
  } catch (error) {
    throw new EmbedEvalError(
      "cache",
      `cannot create a segment in ${loaded.folder}: ${describeError(error)}`,
      {
        cause: error,
        hint: "Point `cache.directory` in the config at a writable folder, or run with --no-cache.",
      },
    );
  }
}
