import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  compareResults,
  defaultCompareRule,
  loadConfig,
  readResultsDirectory,
  renderMarkdownReport,
  renderTerminalReport,
  UsageError,
} from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { colorEnabled } from "../terminal-environment.js";

const help = `Usage: embedeval report RESULTS_DIR [--config FILE] [--markdown OUT]

Renders a results folder without a baseline: absolute scores, latency, cost and texts embedded per
(model, task), as an aligned table and optionally as the markdown the GitHub Action posts.

Options:
  -c, --config FILE     take the gated metric and the report's name from this config
      --markdown OUT    write the markdown report to OUT
      --all             list every metric, not only the gated one`;

export const reportCommand: Command = async (context) => {
  const { values, positionals } = parseCommandArguments("report", {
    args: context.argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      markdown: { type: "string" },
      all: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`report takes one folder, RESULTS_DIR; got ${positionals.length}`, {
      hint: "Example: embedeval report embedeval-results (see `embedeval report --help`).",
    });
  }
  const directory = resolve(context.cwd, positionals[0] as string);
  const config = values.config ? await loadConfig(resolve(context.cwd, values.config)) : undefined;
  const results = await readResultsDirectory(directory);
  if (results.length === 0) {
    throw new UsageError(`no result files in ${directory}`, {
      hint: "Pass the folder `embedeval run` wrote (output.directory in embedeval.yml).",
    });
  }
  // A report is a comparison against nothing: every row "added", absolute scores only.
  const comparison = compareResults([], results, config?.compare ?? defaultCompareRule);
  if (values.markdown) {
    const path = resolve(context.cwd, values.markdown);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, renderMarkdownReport(comparison, { configName: config?.name ?? "embedeval" }));
  }
  const color = colorEnabled(context.stdout, context.environment);
  context.stdout.write(renderTerminalReport(comparison, { color, allMetrics: values.all }));
  return ExitCode.ok;
};
