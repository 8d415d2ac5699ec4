import {
  findMtebBenchmark,
  type MtebRetrievalTask,
  mtebBenchmarkNames,
  mtebBenchmarks,
  mtebBenchmarksOf,
  mtebBenchmarkTasks,
  mtebRetrievalTasks,
  UsageError,
} from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";

const help = `Usage: embedeval tasks [--benchmark NAME] [--json]

Lists the MTEB retrieval tasks a config can name without \`path\` or \`hub\` (\`- name: SciFact\`), with
the hub dataset, the revision MTEB pins, the split it evaluates and its ignore_identical_ids flag, and
the benchmarks a config can name whole (\`- benchmark: NanoBEIR\`).

Options:
  --benchmark NAME  only the tasks of one benchmark: ${mtebBenchmarks.map((benchmark) => `"${benchmark.name}"`).join(", ")}
  --json            one JSON object with the tasks and the benchmarks`;

/** `embedeval tasks`: the task registry, as a table or JSON. */
export const tasksCommand: Command = async (context) => {
  const { values } = parseCommandArguments("tasks", {
    args: context.argv,
    options: {
      help: { type: "boolean", short: "h", default: false },
      json: { type: "boolean", default: false },
      benchmark: { type: "string" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  let tasks: readonly MtebRetrievalTask[] = mtebRetrievalTasks;
  if (values.benchmark !== undefined) {
    const benchmark = findMtebBenchmark(values.benchmark);
    if (!benchmark) {
      throw new UsageError(`unknown benchmark \`${values.benchmark}\``, {
        hint: `Known: ${mtebBenchmarkNames().join(", ")}.`,
      });
    }
    tasks = mtebBenchmarkTasks(benchmark);
  }
  if (values.json) {
    const benchmarks = mtebBenchmarks.map(({ name, aliases, tasks: names, note }) => ({
      name,
      aliases,
      tasks: names,
      ...(note ? { note } : {}),
    }));
    const rows = tasks.map((task) => ({ ...task, benchmarks: mtebBenchmarksOf(task) }));
    context.stdout.write(`${JSON.stringify({ tasks: rows, benchmarks }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const header = ["task", "dataset", "revision", "split", "ignoreIdenticalIds", "benchmarks"];
  const rows = tasks.map((task) => [
    [task.name, ...task.aliases].join(" / "),
    task.repository,
    task.revision.slice(0, 7),
    task.splits.join(","),
    String(task.ignoreIdenticalIds),
    mtebBenchmarksOf(task).join("; "),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  lines.push(
    "",
    `${tasks.length} tasks. Each runs by name (\`- name: SciFact\`); a whole benchmark with \`- benchmark: NAME\`:`,
  );
  for (const benchmark of mtebBenchmarks) {
    const aliases = benchmark.aliases.length > 0 ? ` (also ${benchmark.aliases.join(", ")})` : "";
    lines.push(
      `  ${benchmark.name}${aliases}: ${benchmark.tasks.length} retrieval tasks${benchmark.note ? `. ${benchmark.note}` : ""}`,
    );
  }
  context.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
};
