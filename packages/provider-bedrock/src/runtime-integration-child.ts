/**
 * A child process for the kill-and-resume integration test: embeds texts through the real runtime,
 * the real plugin and the local server, writing to an on-disk cache, until the test SIGKILLs it.
 * Usage: node --import tsx --conditions=@embedeval/source runtime-integration-child.ts URL CACHE_DIR TEXTS_JSON
 */
import { readFileSync } from "node:fs";
import { EmbeddingCache, embedTexts } from "@embedeval/core";
import { createBedrockProvider } from "./bedrock-plugin.js";

const [url, cacheDirectory, textsFile] = process.argv.slice(2);
if (!url || !cacheDirectory || !textsFile) throw new Error("usage: URL CACHE_DIR TEXTS_JSON");
const texts = JSON.parse(readFileSync(textsFile, "utf8")) as string[];
const cache = await EmbeddingCache.open(cacheDirectory);
const provider = createBedrockProvider({
  model: "amazon.titan-embed-text-v2:0",
  options: { region: "us-east-1", endpoint: url, dimensions: 256 },
  baseDirectory: ".",
  environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
});
await embedTexts({
  provider,
  texts,
  inputType: "document",
  settings: { maxConcurrency: 1, timeoutSeconds: 30, maxRetries: 5 },
  cache,
  backoff: { baseDelayMilliseconds: 5, maxDelayMilliseconds: 20 },
});
cache.close();
await provider.close();
process.stdout.write("finished\n");
