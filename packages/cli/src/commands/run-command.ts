import { relative } from "node:path";
import { formatCacheLine, stripControlCharacters } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { renderEstimateTable } from "../estimate-table.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { renderResultsTable, renderScoreBars } from "../results-table.js";
import { estimateRun, runEvaluation } from "../run-evaluation.js";

const help = `Usage: embedeval run [--config embedeval.yml] [--no-cache] [--model ID]... [--task NAME]...

Evaluates every model in the config on every task, writes one result file per (model, task) in MTEB's
layout, and prints a table. Embeddings are cached: a rerun with nothing changed calls no provider.

Options:
  -c, --config FILE   config file (default: embedeval.yml)
      --no-cache      ignore the embedding cache and call every provider again
      --model ID      only this model (repeatable)
      --task NAME     only this task (repeatable)
      --dry-run       call no provider: print how many texts each model would embed (cache
                      hits excluded), the estimated tokens and what they would cost
      --json          print the results as JSON instead of a table
      --shard ID      run one cell of \`embedeval plan\` and write its rankings to --shards for
                      \`embedeval merge\` (no result file, no table)
      --shards DIR    where --shard writes (default: embedeval-shards)`;

export const runCommand: Command = async (context) => {
  const { values } = parseCommandArguments("run", {
    args: context.argv,
    options: {
      config: { type: "string", short: "c", default: "embedeval.yml" },
      "no-cache": { type: "boolean", default: false },
      model: { type: "string", multiple: true },
      task: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      shard: { type: "string" },
      shards: { type: "string", default: "embedeval-shards" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const runOptions = {
    configPath: values.config,
    cwd: context.cwd,
    noCache: values["no-cache"],
    signal: context.signal,
    progressStream: context.stderr,
    environment: context.environment,
    ...(values.model ? { models: values.model } : {}),
    ...(values.task ? { tasks: values.task } : {}),
  };
  if (values.shard !== undefined) {
    const { runShard } = await import("../run-shard.js");
    const { file } = await runShard({ ...runOptions, shard: values.shard, shardsDirectory: values.shards });
    context.stdout.write(`shard ${values.shard}: ${relative(context.cwd, file) || file}\n`);
    return ExitCode.ok;
  }
  if (values["dry-run"]) {
    const estimates = await estimateRun(runOptions);
    context.stdout.write(
      values.json ? `${JSON.stringify(estimates, null, 2)}\n` : `\n${renderEstimateTable(estimates)}\n`,
    );
    return ExitCode.ok;
  }
  const outcome = await runEvaluation(runOptions);
  if (values.json) {
    context.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
  } else {
    // Names come from config and result files: no control character of theirs reaches the terminal.
    context.stdout.write(`\n${stripControlCharacters(renderResultsTable(outcome.results), true)}\n\n`);
    if (outcome.results.length > 1)
      context.stdout.write(`${stripControlCharacters(renderScoreBars(outcome.results), true)}\n\n`);
    // Damaged entries found (and embedded again) are counted here, never healed silently.
    if (outcome.cache) context.stdout.write(`${formatCacheLine(outcome.cache)}\n`);
    context.stdout.write(
      `results: ${relative(context.cwd, outcome.outputDirectory) || "."}/ (${outcome.files.length} files)\n`,
    );
  }
  if (outcome.failures.length > 0) {
    context.stderr.write(`\n${outcome.failures.length} model/task pair(s) failed:\n`);
    for (const failure of outcome.failures) {
      context.stderr.write(
        `${stripControlCharacters(`  ${failure.model}${failure.task ? ` × ${failure.task}` : ""}: ${failure.message}`, true)}\n`,
      );
    }
    return ExitCode.failed;
  }
  return ExitCode.ok;
};
