/**
 * A child process for the concurrent-runs test: for each line `<directory> <first> <count> <compact
 * above>` read from
 * stdin, embeds texts `text <first>` .. `text <first + count - 1>` into the cache at `<directory>` (a
 * fresh EmbeddingCache each time, as a separate run would) with a slightly slow provider, then prints
 * one line of JSON: the texts it sent to the provider and whether every vector it got back was right.
 * The parent runs the same at the same moment, so the two runs race on one cache.
 *
 * Usage: node --conditions=@embedeval/source --import tsx embed-alongside.ts
 */
import { createInterface } from "node:readline";
import { EmbeddingCache } from "../runtime/cache/embedding-cache.js";
import { embedTexts } from "../runtime/embed-texts.js";
import { systemClock } from "../runtime/runtime-clock.js";
import { ScriptedEmbeddingProvider, scriptedVector } from "./scripted-embedding-provider.js";

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [directory, first, count, compactAbove] = line.split(" ");
  const texts = Array.from({ length: Number(count) }, (_, index) => `text ${Number(first) + index}`);
  const cache = await EmbeddingCache.open(directory as string, {
    compactQuietMilliseconds: 60_000,
    compactAboveSegments: Number(compactAbove),
  });
  const provider = new ScriptedEmbeddingProvider({
    clock: systemClock,
    capabilities: { maxInputsPerCall: 10 },
    latency: () => 3,
  });
  const { embeddings } = await embedTexts({
    provider,
    texts,
    inputType: "document",
    settings: { maxConcurrency: 2, timeoutSeconds: 30 },
    cache,
  });
  cache.close();
  const correct = embeddings.every((vector, index) =>
    scriptedVector(texts[index] as string, "document", 4).every(
      (value, position) => vector[position] === value,
    ),
  );
  process.stdout.write(`${JSON.stringify({ sent: provider.sentTexts(), correct })}\n`);
}
