/**
 * The `configs:` of a dataset card (README.md front matter), the way the `datasets` library reads them
 * (https://huggingface.co/docs/hub/datasets-manual-configuration):
 *
 *   configs:
 *   - config_name: corpus
 *     data_files:
 *     - split: corpus
 *       path: corpus.jsonl           # a path or glob, or a list of them
 *
 * `data_files` may also be one string or a list of strings (all in split "train").
 */
import { parse } from "yaml";

export interface DatasetCardConfig {
  name: string;
  /** Split name -> path patterns (globs) in the repository. */
  splits: Map<string, string[]>;
}

/** The configs of a card's front matter; empty when it has none or cannot be read. */
export function readDatasetCardConfigs(card: string): DatasetCardConfig[] {
  const match = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(card.replace(/^\uFEFF/, ""));
  if (!match?.[1]) return [];
  let frontMatter: unknown;
  try {
    frontMatter = parse(match[1]);
  } catch {
    // A card whose metadata does not parse is treated as a card without configs: the layout is then
    // taken from the file names, as the hub's own viewer does.
    return [];
  }
  const configs = (frontMatter as { configs?: unknown } | null)?.configs;
  if (!Array.isArray(configs)) return [];
  const result: DatasetCardConfig[] = [];
  for (const config of configs as Record<string, unknown>[]) {
    if (typeof config?.config_name !== "string") continue;
    result.push({ name: config.config_name, splits: readDataFiles(config.data_files) });
  }
  return result;
}

function readDataFiles(dataFiles: unknown): Map<string, string[]> {
  const splits = new Map<string, string[]>();
  const add = (split: string, paths: unknown) => {
    const list = (Array.isArray(paths) ? paths : [paths]).filter((path) => typeof path === "string");
    splits.set(split, [...(splits.get(split) ?? []), ...(list as string[])]);
  };
  if (typeof dataFiles === "string") add("train", dataFiles);
  else if (Array.isArray(dataFiles)) {
    for (const entry of dataFiles) {
      if (typeof entry === "string") add("train", entry);
      else if (entry && typeof entry === "object" && typeof entry.split === "string")
        add(entry.split, entry.path);
    }
  } else if (dataFiles && typeof dataFiles === "object") {
    for (const [split, paths] of Object.entries(dataFiles)) add(split, paths);
  }
  return splits;
}

/** A glob as data_files use them: `*` within a path segment, `**` across segments, `?` one character. */
export function globMatcher(pattern: string): (path: string) => boolean {
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index] as string;
    if (character === "*" && pattern[index + 1] === "*") {
      source += ".*";
      index += pattern[index + 2] === "/" ? 2 : 1;
    } else if (character === "*") source += "[^/]*";
    else if (character === "?") source += "[^/]";
    else source += character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const expression = new RegExp(`^${source}$`);
  return (path) => expression.test(path);
}
