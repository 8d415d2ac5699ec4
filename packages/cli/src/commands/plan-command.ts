import { resolve } from "node:path";
import { loadConfig } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { maximumMatrixCells, planShards } from "../shard-plan.js";

const help = `Usage: embedeval plan [--config embedeval.yml] [--corpus-shards N] [--model ID]... [--task NAME]...

Prints the cells of a sharded run as JSON for a GitHub Actions matrix: one cell per model × task, and
with --corpus-shards N, N document ranges of each task's corpus per dense model (BM25 keeps one, it
scores with whole-corpus statistics). Each cell runs with \`embedeval run --shard ID\`; \`embedeval
merge\` then writes the result files one machine would.

  strategy:
    matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}

Options:
  -c, --config FILE       config file (default: embedeval.yml)
      --corpus-shards N   document ranges per dense model × task (default 1)
      --model ID          only this model (repeatable)
      --task NAME         only this task (repeatable)
      --github-output     print \`matrix=<json>\` for $GITHUB_OUTPUT instead of indented JSON`;

export const planCommand: Command = async (context) => {
  const { values } = parseCommandArguments("plan", {
    args: context.argv,
    options: {
      config: { type: "string", short: "c", default: "embedeval.yml" },
      "corpus-shards": { type: "string", default: "1" },
      model: { type: "string", multiple: true },
      task: { type: "string", multiple: true },
      "github-output": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const config = await loadConfig(resolve(context.cwd, values.config));
  const cells = planShards(config, {
    corpusShards: Number(values["corpus-shards"]),
    ...(values.model ? { models: values.model } : {}),
    ...(values.task ? { tasks: values.task } : {}),
  });
  if (cells.length > maximumMatrixCells) {
    context.stderr.write(
      `warning: ${cells.length} cells; a GitHub Actions matrix runs at most ${maximumMatrixCells}: split the plan with --model or --task\n`,
    );
  }
  const matrix = { include: cells };
  context.stdout.write(
    values["github-output"] ? `matrix=${JSON.stringify(matrix)}\n` : `${JSON.stringify(matrix, null, 2)}\n`,
  );
  return ExitCode.ok;
};
