/**
 * The Hugging Face environment as huggingface_hub reads it (src/huggingface_hub/constants.py), so a
 * machine set up for the Python tools needs nothing more:
 *
 *   HF_ENDPOINT      the hub's address (mirror, proxy); default https://huggingface.co
 *   HF_TOKEN         the token; else the file HF_TOKEN_PATH; else $HF_HOME/token (`hf auth login` writes it)
 *   HF_HOME          default $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
 *   HF_HUB_CACHE     default $HF_HOME/hub (HUGGINGFACE_HUB_CACHE is the older name)
 *   HF_HUB_OFFLINE   1/ON/YES/TRUE: no request at all, files come from the cache (TRANSFORMERS_OFFLINE too)
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export const defaultHubEndpoint = "https://huggingface.co";

export interface HubEnvironment {
  /** Without a trailing slash. */
  endpoint: string;
  token: string | undefined;
  /** Where the token came from, for messages (never the token itself). */
  tokenSource: string | undefined;
  offline: boolean;
  /** huggingface_hub's cache folder, holding `datasets--owner--name/`. */
  cacheDirectory: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** huggingface_hub's `_is_true`. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "ON", "YES", "TRUE"].includes(value.toUpperCase());
}

export function hubHomeDirectory(environment: Environment): string {
  if (environment.HF_HOME) return environment.HF_HOME;
  const cacheHome = environment.XDG_CACHE_HOME || join(environment.HOME || homedir(), ".cache");
  return join(cacheHome, "huggingface");
}

export function hubCacheDirectory(environment: Environment): string {
  return (
    environment.HF_HUB_CACHE ||
    environment.HUGGINGFACE_HUB_CACHE ||
    join(hubHomeDirectory(environment), "hub")
  );
}

export async function readHubEnvironment(environment: Environment): Promise<HubEnvironment> {
  const endpoint = (environment.HF_ENDPOINT || defaultHubEndpoint).replace(/\/+$/, "");
  const offline = isTrue(environment.HF_HUB_OFFLINE || environment.TRANSFORMERS_OFFLINE);
  let token = environment.HF_TOKEN?.trim() || undefined;
  let tokenSource = token ? "HF_TOKEN" : undefined;
  if (!token) {
    const tokenFile = environment.HF_TOKEN_PATH || join(hubHomeDirectory(environment), "token");
    const stored = (await readFile(tokenFile, "utf8").catch(() => "")).trim();
    if (stored) {
      token = stored;
      tokenSource = tokenFile;
    }
  }
  return { endpoint, token, tokenSource, offline, cacheDirectory: hubCacheDirectory(environment) };
}
