/**
 * Keeps credentials out of error messages. Messages come from the service, from an SDK and from
 * Node's networking layer; none should carry secrets, but a proxy echoing a request or a future SDK
 * message could, so known secret values and the shapes of AWS credentials and authorization headers
 * are masked regardless. Exported from @embedeval/core for every plugin that builds error messages.
 */
const credentialPatterns: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /(Signature=)[0-9a-fA-F]+/g,
  /(Credential=)[^,\s]+/g,
  /(X-Amz-Security-Token=)[^&\s]+/gi,
  /(X-Amz-Signature=)[^&\s]+/gi,
  /(authorization["']?\s*[:=]\s*)[^\n"']+/gi,
];

export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of knownSecrets) {
    // Very short values would mask ordinary words; real secrets are long.
    if (secret.length >= 8) redacted = redacted.split(secret).join("[redacted]");
  }
  for (const pattern of credentialPatterns) {
    redacted = redacted.replace(pattern, (match, prefix?: string) =>
      typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}[redacted]` : "[redacted]",
    );
  }
  return redacted;
}
