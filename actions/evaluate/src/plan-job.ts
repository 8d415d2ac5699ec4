import * as core from "@actions/core";
import { maximumMatrixCells, planShards } from "@embedeval/cli";
import { loadConfig, UsageError } from "@embedeval/core";
import type { JobContext } from "./job-context.js";

/**
 * Mode plan: the cells of a sharded run as the `matrix` output, for `strategy.matrix: ${{
 * fromJSON(needs.plan.outputs.matrix) }}`. The same plan as `embedeval plan` (one cell per model × task,
 * `corpus-shards` document ranges per dense model on retrieval tasks); nothing is evaluated.
 */
export async function runPlanJob(job: JobContext): Promise<void> {
  const config = await loadConfig(job.configFile);
  const cells = planShards(config, { corpusShards: job.inputs.corpusShards });
  if (cells.length === 0) {
    // An empty matrix fails the workflow with a message about the expression, not about the config.
    throw new UsageError("the plan has no cell: the config lists no model × task to run", {
      hint: "Add a model and a task to the config.",
    });
  }
  if (cells.length > maximumMatrixCells) {
    core.warning(
      `${cells.length} cells; a GitHub Actions matrix runs at most ${maximumMatrixCells}: lower corpus-shards or split the config`,
    );
  }
  core.setOutput("matrix", JSON.stringify({ include: cells }));
  core.info(`embedeval: ${cells.length} shard(s): ${cells.map((cell) => cell.shard).join(", ")}`);
}
