export { type Command, type CommandContext, ExitCode } from "./command-context.js";
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
