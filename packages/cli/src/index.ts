export { type Command, type CommandContext, ExitCode } from "./command-context.js";
export { type MergeShardsOptions, type MergeShardsResult, mergeShards } from "./merge-shards.js";
export { ProgressReporter } from "./progress-reporter.js";
export { resolveProviderPlugin } from "./resolve-provider-plugin.js";
export { renderResultsTable } from "./results-table.js";
export { runCli } from "./run-cli.js";
export {
  type ModelFailure,
  type RunEvaluationOptions,
  type RunEvaluationResult,
  runEvaluation,
} from "./run-evaluation.js";
export { type RunShardOptions, runShard } from "./run-shard.js";
export { maximumMatrixCells, planShards, type ShardCell, type ShardPlanOptions } from "./shard-plan.js";
