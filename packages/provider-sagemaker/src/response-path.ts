/**
 * A small path language to find the vectors in a custom container's answer, e.g. `data[*].embedding`
 * for `{"data": [{"embedding": [...]}, ...]}`, `embeddings` for `{"embeddings": [[...]]}`, or an
 * empty path for a bare `[[...]]`. Segments: a key (`data`), an index (`[0]`), every element (`[*]`).
 */
import { ConfigError } from "@embedeval/provider-contract";

export type PathSegment = { key: string } | { index: number } | { every: true };

const segmentPattern = /\.?([A-Za-z_$][\w$-]*)|\[(\*|\d+)\]/y;

export function parseResponsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const text = path.startsWith("$") ? path.slice(1) : path;
  segmentPattern.lastIndex = 0;
  while (segmentPattern.lastIndex < text.length) {
    const start = segmentPattern.lastIndex;
    const match = segmentPattern.exec(text);
    if (!match) {
      throw new ConfigError(`\`options.responsePath\` "${path}" cannot be read at character ${start + 1}.`, {
        key: "options.responsePath",
        hint: 'Write keys separated by dots, [n] for an index and [*] for every element, e.g. "data[*].embedding".',
      });
    }
    if (match[1] !== undefined) segments.push({ key: match[1] });
    else if (match[2] === "*") segments.push({ every: true });
    else segments.push({ index: Number(match[2]) });
  }
  return segments;
}

/** The value at `segments`; `[*]` maps over a list. Missing keys give undefined. */
export function evaluateResponsePath(value: unknown, segments: readonly PathSegment[]): unknown {
  const [segment, ...rest] = segments;
  if (segment === undefined) return value;
  if ("every" in segment) {
    return Array.isArray(value) ? value.map((item) => evaluateResponsePath(item, rest)) : undefined;
  }
  if ("index" in segment) {
    return Array.isArray(value) ? evaluateResponsePath(value[segment.index], rest) : undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return evaluateResponsePath((value as Record<string, unknown>)[segment.key], rest);
}
