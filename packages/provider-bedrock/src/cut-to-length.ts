/**
 * Cutting texts to a provider's hard character limit. Cohere Embed v3 on Bedrock rejects any text
 * over 2,048 characters (its `truncate` setting only applies to tokens), so with truncation on, a
 * long document is cut here on the same side the model would truncate, instead of failing the run.
 */
export type CharacterCut = "keep-start" | "keep-end";

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** At most `limit` UTF-16 code units, never splitting a surrogate pair. */
export function cutToLength(text: string, limit: number, cut: CharacterCut): string {
  if (text.length <= limit) return text;
  if (cut === "keep-start") {
    const end = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
    return text.slice(0, end);
  }
  const start = text.length - limit;
  // Starting on a low surrogate would orphan it; skip it.
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}
