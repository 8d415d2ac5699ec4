import { closestMatch, EmbedEvalError, formatError, stripControlCharacters, version } from "@embedeval/core";
import { type Command, type CommandContext, ExitCode } from "./command-context.js";
import { initCommand } from "./commands/init-command.js";
import { runCommand } from "./commands/run-command.js";
import { schemaCommand } from "./commands/schema-command.js";

const usage = `embedeval ${version}: evaluate text-embedding models the way MTEB does, and guard them in CI.

Usage: embedeval <command> [options]

Commands:
  run         Evaluate every model in the config on every task    [--config embedeval.yml] [--no-cache]
  plan        Print the cells of a sharded run as a GitHub Actions matrix  [--corpus-shards N]
  merge       Join the files of \`run --shard\` runs into the result files  [--shards DIR]
  score       Score a TREC run file against qrels                 --qrels FILE --run FILE [--k 1,3,10] [--json] [--per-query]
  compare     Compare two results folders (deltas, CI, p-values)  BASE_DIR HEAD_DIR [--config FILE] [--markdown OUT]
  report      Render a results folder as a table, markdown or HTML  RESULTS_DIR [--baseline DIR] [--markdown OUT] [--html OUT]
  init        Write a commented starter embedeval.yml             [--force]
  schema      Print the JSON Schema of embedeval.yml
  tasks       List the MTEB retrieval tasks and benchmarks runnable by name  [--benchmark NAME] [--json]
  new-plugin  Write a publishable provider plugin package         NAME [--directory DIR]

Options:
  -h, --help       this help; a command's own: \`embedeval <command> --help\` or \`embedeval help <command>\`
  -V, --version    the embedeval version

Environment: CI (any value but false or 0) prints progress as plain lines; NO_COLOR turns colour off.
Exit codes: 0 ok, 1 evaluation failed or regression found, 2 usage or config error.`;

/** Commands other packages contribute are loaded lazily so one broken command cannot break the rest. */
const commands: Record<string, () => Promise<Command>> = {
  run: async () => runCommand,
  init: async () => initCommand,
  schema: async () => schemaCommand,
  plan: async () => (await import("./commands/plan-command.js")).planCommand,
  merge: async () => (await import("./commands/merge-command.js")).mergeCommand,
  score: async () => (await import("./commands/score-command.js")).scoreCommand,
  compare: async () => (await import("./commands/compare-command.js")).compareCommand,
  report: async () => (await import("./commands/report-command.js")).reportCommand,
  tasks: async () => (await import("./commands/tasks-command.js")).tasksCommand,
  "new-plugin": async () => (await import("./commands/new-plugin-command.js")).newPluginCommand,
};

export async function runCli(context: CommandContext): Promise<number> {
  let [name, ...rest] = context.argv;
  if (name === "help" && rest.length > 0) {
    // `embedeval help run` is `embedeval run --help`.
    [name, rest] = [rest[0], ["--help"]];
  } else if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    context.stdout.write(`${usage}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === "--version" || name === "-V" || name === "-v") {
    context.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const load = name === undefined ? undefined : commands[name];
  if (!load) {
    const suggestion = closestMatch(name ?? "", Object.keys(commands));
    context.stderr.write(
      `error: unknown command \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ""}\n\n${usage}\n`,
    );
    return ExitCode.usage;
  }
  try {
    const command = await load();
    return await command({ ...context, argv: rest });
  } catch (error) {
    // Messages quote names from the config and data: none of their control characters reach the terminal.
    context.stderr.write(`${stripControlCharacters(formatError(error), true)}\n`);
    if (!EmbedEvalError.is(error) && error instanceof Error && error.stack) {
      // Not one of ours: a bug. Keep the stack so it can be reported.
      context.stderr.write(`${error.stack}\n`);
    }
    if (EmbedEvalError.is(error)) {
      return error.code === "config" || error.code === "usage" ? ExitCode.usage : ExitCode.failed;
    }
    return ExitCode.failed;
  }
}
