import { relative } from "node:path";
import { stripControlCharacters } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { mergeShards } from "../merge-shards.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { renderResultsTable } from "../results-table.js";

const help = `Usage: embedeval merge [--config embedeval.yml] [--shards DIR] [--model ID]... [--task NAME]...

Joins the files of \`embedeval run --shard\` runs into the result files one machine would write: each
query's top 1000 merged exactly from the ranges' (ties in trec_eval's order), then scored. Usage adds up
what every shard spent; timings are the slowest shard's.

Options:
  -c, --config FILE   config file, the one the shards ran with (default: embedeval.yml)
      --shards DIR    the shard files, in subfolders too (default: embedeval-shards)
      --model ID      only this model, as planned with \`embedeval plan --model\` (repeatable)
      --task NAME     only this task (repeatable)
      --json          print the results as JSON instead of a table`;

export const mergeCommand: Command = async (context) => {
  const { values } = parseCommandArguments("merge", {
    args: context.argv,
    options: {
      config: { type: "string", short: "c", default: "embedeval.yml" },
      shards: { type: "string", default: "embedeval-shards" },
      model: { type: "string", multiple: true },
      task: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const outcome = await mergeShards({
    configPath: values.config,
    cwd: context.cwd,
    shardsDirectory: values.shards,
    signal: context.signal,
    progressStream: context.stderr,
    environment: context.environment,
    ...(values.model ? { models: values.model } : {}),
    ...(values.task ? { tasks: values.task } : {}),
  });
  if (values.json) {
    context.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
  } else {
    context.stdout.write(`\n${stripControlCharacters(renderResultsTable(outcome.results), true)}\n\n`);
    context.stdout.write(
      `results: ${relative(context.cwd, outcome.outputDirectory) || "."}/ (${outcome.files.length} files)\n`,
    );
  }
  if (outcome.missing.length > 0) {
    context.stderr.write(`\n${outcome.missing.length} model/task pair(s) have no shard file:\n`);
    for (const { model, task } of outcome.missing) {
      context.stderr.write(`${stripControlCharacters(`  ${model} × ${task}`, true)}\n`);
    }
    return ExitCode.failed;
  }
  return ExitCode.ok;
};
