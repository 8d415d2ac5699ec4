import { relative, resolve } from "node:path";
import * as core from "@actions/core";
import { context } from "@actions/github";
import { runShard } from "@embedeval/cli";
import { loadConfig, UsageError } from "@embedeval/core";
import { restoreEmbeddingCache, saveEmbeddingCache, shardCacheKeys } from "./embedding-cache-steps.js";
import type { JobContext } from "./job-context.js";
import { configSlug } from "./results-branch-store.js";

/** Where a shard job writes its file when the `shards` input is empty (the CLI's default too). */
export const defaultShardsFolder = "embedeval-shards";

/**
 * Mode shard: one cell of mode plan's matrix, as `embedeval run --shard ID` runs it: embedded through
 * the embedding cache (restored and saved like an evaluation's), searched over the cell's document
 * range, and written as a shard file into the `shards` folder (output `shards-directory`) for the
 * workflow to upload. No comparison and no comment: mode report does that once, after every cell.
 */
export async function runShardJob(job: JobContext): Promise<void> {
  const { inputs } = job;
  if (!inputs.shard) {
    throw new UsageError("mode shard needs the `shard` input", {
      hint: `Set \`shard: \${{ matrix.shard }}\` in the matrix job that runs the cells of a mode plan job's \`matrix\` output.`,
    });
  }
  const config = await loadConfig(job.configFile);
  const shardsDirectory = resolve(job.workingDirectory, inputs.shards || defaultShardsFolder);
  const keys = shardCacheKeys(configSlug(config.name), inputs.shard, context.sha);
  const restored = config.cache.enabled
    ? await restoreEmbeddingCache(config.cache.directory, keys.key, keys.prefixes)
    : undefined;
  try {
    const { cell, file } = await runShard({
      configPath: config.file,
      config,
      cwd: job.workingDirectory,
      environment: process.env,
      progressStream: { write: (chunk: string) => process.stdout.write(chunk) },
      signal: job.signal,
      shard: inputs.shard,
      shardsDirectory,
    });
    core.info(`embedeval: shard ${cell.shard} written to ${relative(job.workspace, file)}`);
  } finally {
    // Also after a failure or a cancellation: every vector written so far was paid for.
    if (config.cache.enabled) await saveEmbeddingCache(config.cache.directory, keys.key, restored);
  }
  core.setOutput("shards-directory", shardsDirectory);
}
