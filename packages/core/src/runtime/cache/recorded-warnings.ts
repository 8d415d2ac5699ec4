import { closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openRegularFile } from "./cache-segment-format.js";
import type { LoadedNamespace } from "./loaded-namespace.js";

/** The file beside a namespace's segments that records provider warnings with the keys of their texts. */
export const warningsFile = "warnings.jsonl";

/** The namespace's recorded warnings, read from `warnings.jsonl` on first use; torn lines skipped. */
export function readWarnings(loaded: LoadedNamespace): { warning: string; keys: Set<string> }[] {
  if (loaded.warnings) return loaded.warnings;
  loaded.warnings = [];
  let text = "";
  try {
    const descriptor = openRegularFile(join(loaded.folder, warningsFile));
    if (descriptor === undefined) return loaded.warnings;
    try {
      text = readFileSync(descriptor, "utf8");
    } finally {
      closeSync(descriptor);
    }
  } catch {
    return loaded.warnings; // none recorded yet
  }
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const entry = JSON.parse(line) as { warning?: unknown; keys?: unknown };
      if (typeof entry.warning === "string" && Array.isArray(entry.keys)) {
        const keys = entry.keys.filter((key): key is string => typeof key === "string");
        loaded.warnings.push({ warning: entry.warning, keys: new Set(keys) });
      }
    } catch {
      // A line torn by a killed run: the warning is lost, the vectors are not.
    }
  }
  return loaded.warnings;
}
