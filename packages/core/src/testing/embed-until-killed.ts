/**
 * A child process for the kill test: embeds `count` texts through the runtime into the cache at
 * `directory` with a slow provider, printing "done N" after each answered call, until the parent
 * kills it with SIGKILL (no chance to flush or close anything).
 *
 * Usage: node --conditions=@embedeval/source --import tsx embed-until-killed.ts <directory> <count>
 */

import { EmbeddingCache } from "../runtime/cache/embedding-cache.js";
import { embedTexts } from "../runtime/embed-texts.js";
import { systemClock } from "../runtime/runtime-clock.js";
import { ScriptedEmbeddingProvider } from "./scripted-embedding-provider.js";

const [directory, countArgument] = process.argv.slice(2);
const count = Number(countArgument);
const cache = await EmbeddingCache.open(directory as string, { syncIntervalMilliseconds: 60_000 });
const provider = new ScriptedEmbeddingProvider({
  clock: systemClock,
  capabilities: { maxInputsPerCall: 2 },
  latency: () => 20,
});
await embedTexts({
  provider,
  texts: Array.from({ length: count }, (_, index) => `text ${index}`),
  inputType: "document",
  settings: { maxConcurrency: 2, timeoutSeconds: 30, maxRetries: 0 },
  cache,
  onProgress: (done) => process.stdout.write(`done ${done}\n`),
});
process.stdout.write("finished\n");
