import {
  findMtebBenchmark,
  loadsFromHub,
  type MtebRetrievalTask,
  type MtebTypedTask,
  mtebBenchmarkNames,
  mtebBenchmarks,
  mtebBenchmarksOf,
  mtebBenchmarkTasks,
  mtebRetrievalTasks,
  mtebTypedTaskList,
  mtebTypedTasksBenchmark,
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
  // The other task types: all of them belong to MTEB(eng, v2).
  let typedTasks: readonly MtebTypedTask[] = mtebTypedTaskList;
  if (values.benchmark !== undefined) {
    const benchmark = findMtebBenchmark(values.benchmark);
    if (!benchmark) {
      throw new UsageError(`unknown benchmark \`${values.benchmark}\``, {
        hint: `Known: ${mtebBenchmarkNames().join(", ")}.`,
      });
    }
    tasks = mtebBenchmarkTasks(benchmark);
    if (benchmark.name !== mtebTypedTasksBenchmark) typedTasks = [];
  }
  if (values.json) {
    const benchmarks = mtebBenchmarks.map(({ name, aliases, tasks: names, note }) => ({
      name,
      aliases,
      tasks: names,
      ...(note ? { note } : {}),
    }));
    const rows = tasks.map((task) => ({ ...task, benchmarks: mtebBenchmarksOf(task) }));
    const typed = typedTasks.map((task) => ({ ...task, byName: loadsFromHub(task) }));
    context.stdout.write(`${JSON.stringify({ tasks: rows, typedTasks: typed, benchmarks }, null, 2)}\n`);
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
  const line = columnLine(header, rows);
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
  if (typedTasks.length > 0) lines.push("", ...typedTaskLines(typedTasks));
  context.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
};

/** The MTEB tasks of the other types: type, dataset, pinned revision, subset, split, main score. */
function typedTaskLines(tasks: readonly MtebTypedTask[]): string[] {
  const header = ["task", "type", "dataset", "revision", "subset", "split", "main score", "by name"];
  const rows = tasks.map((task) => [
    task.name,
    task.type,
    task.repository,
    task.revision.slice(0, 7),
    task.subset,
    task.split,
    task.mainScore,
    loadsFromHub(task) ? "yes" : "local path",
  ]);
  const line = columnLine(header, rows);
  const byName = tasks.filter(loadsFromHub).length;
  return [
    line(header),
    ...rows.map(line),
    "",
    `${tasks.length} tasks of other types in ${mtebTypedTasksBenchmark}; ${byName} run by name, the others from a local \`path\` (docs/task-types.md).`,
  ];
}

/** Formats a row of a plain-text table: each column padded to its widest cell (header included). */
function columnLine(header: readonly string[], rows: readonly string[][]): (cells: string[]) => string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  return (cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
}
