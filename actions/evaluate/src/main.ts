import { resolve } from "node:path";
import * as core from "@actions/core";
import { context } from "@actions/github";
import { CancelledError, formatError } from "@embedeval/core";
import { readInputs, resolveMode } from "./action-inputs.js";
import { runEvaluateJob } from "./evaluate-job.js";
import type { JobContext } from "./job-context.js";
import { runPlanJob } from "./plan-job.js";
import { runShardJob } from "./shard-job.js";

/**
 * Aborted on SIGINT/SIGTERM (the runner sends SIGINT when a job is cancelled, e.g. by `concurrency:
 * cancel-in-progress`, then SIGTERM, then kills): the evaluation stops at its next await and the
 * embedding cache is still saved, so the next run does not pay again for what this one embedded.
 */
const cancellation = new AbortController();

function cancelOn(signal: NodeJS.Signals): void {
  // Listening (not `once`): a second signal must not fall back to the default handler, which kills the
  // process mid-save.
  if (cancellation.signal.aborted) return;
  core.warning(`${signal} received: cancelling the evaluation; saving the embedding cache before exiting`);
  cancellation.abort(new CancelledError(`Cancelled by ${signal}.`));
}

/**
 * The whole action: the mode picks the job (plan and shard for a sharded run's matrix, the others
 * evaluate or report and compare). Every error ends here as one failed-step message, never an unhandled
 * rejection.
 */
export async function run(): Promise<void> {
  process.on("SIGINT", cancelOn);
  process.on("SIGTERM", cancelOn);
  try {
    const inputs = readInputs();
    const payload = context.payload as Record<string, unknown>;
    const mode = resolveMode(inputs.mode, context.eventName, context.ref, payload);
    core.info(`embedeval: mode ${mode} (event ${context.eventName})`);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const workingDirectory = resolve(workspace, inputs.workingDirectory);
    const job: JobContext = {
      inputs,
      workspace,
      workingDirectory,
      configFile: resolve(workingDirectory, inputs.config),
      signal: cancellation.signal,
    };
    if (mode === "plan") await runPlanJob(job);
    else if (mode === "shard") await runShardJob(job);
    else await runEvaluateJob({ ...job, mode });
  } catch (error) {
    core.setFailed(formatError(error));
  } finally {
    process.off("SIGINT", cancelOn);
    process.off("SIGTERM", cancelOn);
  }
}
