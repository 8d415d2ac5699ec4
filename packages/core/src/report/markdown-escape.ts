/**
 * Escaping for text that comes from a config file or a result file (model ids, task names, split names,
 * metric names, provider strings) before it goes into a GitHub comment. Such text is data, never markup:
 * a model named `a|b` must not split a table cell, `<img onerror>` must not become HTML, `@team` must not
 * ping anyone and `#12` must not link an issue.
 * GitHub Flavored Markdown: https://github.github.com/gfm/#backslash-escapes
 */
const htmlEntities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/**
 * Removes control characters (C0, DEL, C1: an ESC starts an ANSI sequence that moves the cursor or
 * recolours a terminal) and the bidirectional overrides that make text display in another order than
 * it reads. For data printed to a terminal or posted to GitHub; newlines are the caller's business
 * (`keepNewlines` keeps \n).
 */
export function stripControlCharacters(text: string, keepNewlines = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const pattern = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const stripped = String(text).replace(pattern, "");
  return keepNewlines ? stripped : stripped.replace(/\n/g, " ");
}

/**
 * Breaks what GitHub turns into a link or a notification, with a zero-width space that changes nothing
 * people see: `@user` and `@org/team` mentions, `#12` and `GH-12` issue links, `user@host` addresses, and
 * bare URLs (`https://...`, `www.`), which GFM autolinks in paragraphs and table cells.
 */
export function defuseLinks(text: string): string {
  return text
    .replace(/[@#]/g, (character) => `${character}\u200b`)
    .replace(/:\/\//g, ":\u200b//")
    .replace(/\b(www)\./gi, "$1\u200b.")
    .replace(/\b(GH)-(?=\d)/gi, "$1-\u200b");
}

/** Escapes for inline markdown, including table cells. Newlines become spaces. */
export function escapeMarkdown(text: string): string {
  return (
    defuseLinks(stripControlCharacters(String(text).replace(/\r\n|\r|\n|\u2028|\u2029/g, " ")))
      .replace(/[&<>"]/g, (character) => htmlEntities[character] as string)
      // Only what can start markup inside a line (table cells and paragraphs never start a line here):
      // emphasis, code, links and images (via the bracket), strikethrough, table pipes.
      // Line-start markers (#, >, -, +, digits and a dot) need no escape: data never starts a line here.
      // `$` too: GitHub renders $...$ as math.
      .replace(/[\\`*_{}[\]|~!$]/g, (character) => `\\${character}`)
  );
}

/** Text for an HTML attribute or a tag body inside <details>/<summary>. */
export function escapeHtml(text: string): string {
  return (
    defuseLinks(stripControlCharacters(String(text).replace(/\r\n|\r|\n/g, " ")))
      // Markdown characters as entities too: GitHub may still run inline markdown inside <summary>.
      .replace(
        /[&<>"'`|*_[\]~\\]/g,
        (character) => htmlEntities[character] ?? `&#${character.charCodeAt(0)};`,
      )
  );
}

/**
 * A label for a mermaid chart, inside double quotes: mermaid has no escape for quotes, so keep only a
 * conservative character set and replace the rest with spaces.
 */
export function mermaidLabel(text: string, maxLength = 40): string {
  const cleaned = String(text)
    .replace(/[^\p{L}\p{N} ._:/+()@·-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 1)}…` : cleaned;
}

/** A hidden HTML comment that finds this config's sticky comment again. `--` cannot appear inside it. */
export function commentMarker(configName: string): string {
  const safe = stripControlCharacters(String(configName).replace(/[\r\n]/g, " "))
    .replace(/--+/g, "-")
    .replace(/[<>]/g, "");
  return `<!-- embedeval:${safe} -->`;
}

/**
 * A label inside a fenced code block (the delta chart): nothing is rendered there, so only what could end
 * the fence (backticks, newlines) or disturb the columns (control characters) goes.
 */
export function codeBlockLabel(text: string): string {
  return stripControlCharacters(String(text).replace(/[\r\n\u2028\u2029]/g, " ")).replace(/[`~]/g, "'");
}
