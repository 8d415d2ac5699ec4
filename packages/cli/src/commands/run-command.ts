import { relative } from "node:path";
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
      --json          print the results as JSON instead of a table`;

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
    context.stdout.write(`\n${renderResultsTable(outcome.results)}\n\n`);
    if (outcome.results.length > 1) context.stdout.write(`${renderScoreBars(outcome.results)}\n\n`);
    if (outcome.cache) {
      const megabytes = outcome.cache.bytes / 1024 / 1024;
      context.stdout.write(
        `cache: ${outcome.cache.hits.toLocaleString("en-US")} hits, ${outcome.cache.misses.toLocaleString("en-US")} misses, ${megabytes.toFixed(1)} MB\n`,
      );
    }
    context.stdout.write(
      `results: ${relative(context.cwd, outcome.outputDirectory) || "."}/ (${outcome.files.length} files)\n`,
    );
  }
  if (outcome.failures.length > 0) {
    context.stderr.write(`\n${outcome.failures.length} model/task pair(s) failed:\n`);
    for (const failure of outcome.failures) {
      context.stderr.write(
        `  ${failure.model}${failure.task ? ` × ${failure.task}` : ""}: ${failure.message}\n`,
      );
    }
    return ExitCode.failed;
  }
  return ExitCode.ok;
};
