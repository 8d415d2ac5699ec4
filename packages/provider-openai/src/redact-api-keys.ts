/**
 * Secrets out of every message this plugin builds. On top of the contract's redactSecrets (the known key,
 * token and secret header values), anything shaped like an OpenAI key (`sk-...`, `sk-proj-...`) or a
 * JSON Web Token (an Entra token) is masked too: OpenAI's own 401 message echoes part of the key that
 * was sent, and a proxy could echo all of it.
 */
import { redactSecrets } from "@embedeval/provider-contract";

const openAIKeyPattern = /\bsk-[A-Za-z0-9_*-]{6,}/g;
/** A JSON Web Token (a Microsoft Entra access token is one): header.payload.signature, base64url. */
const jsonWebTokenPattern = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export function redactApiKeys(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets)
    .replace(openAIKeyPattern, "[redacted]")
    .replace(jsonWebTokenPattern, "[redacted]");
}
