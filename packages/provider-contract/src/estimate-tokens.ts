/** Rough token count when a provider reports none: about four characters a token for English. */
export function estimateTokens(texts: readonly string[]): number {
  let characters = 0;
  for (const text of texts) characters += text.length;
  return Math.ceil(characters / 4);
}
