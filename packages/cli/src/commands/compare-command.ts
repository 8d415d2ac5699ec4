import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  compareResults,
  defaultCompareRule,
  gateVerdict,
  loadConfig,
  readResultsDirectory,
  renderMarkdownReport,
  renderTerminalReport,
  UsageError,
} from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { colorEnabled } from "../terminal-environment.js";

const help = `Usage: embedeval compare BASE_DIR HEAD_DIR [--config FILE] [--markdown OUT] [--json] [--all]

Compares two results folders (written by \`embedeval run\`) for every (model, task, metric): the delta,
a paired bootstrap 95% confidence interval and a paired permutation p-value over per-query scores.
A regression is a drop beyond the allowed amount that is also significant (compare: in embedeval.yml).

Options:
  -c, --config FILE     take the rule (metric, maxDrop, significance, overrides) and name from this config;
                        without it: nDCG@10, 1 point absolute, p < 0.05
      --markdown OUT    also write the pull request comment markdown to OUT
      --json            print the comparison as JSON instead of a table
      --all             list every metric, not only the gated ones

Exit codes: 0 no regression, 1 regression found, 2 usage or config error.`;

export const compareCommand: Command = async (context) => {
  const { values, positionals } = parseCommandArguments("compare", {
    args: context.argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      markdown: { type: "string" },
      json: { type: "boolean", default: false },
      all: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`compare takes two folders, BASE_DIR and HEAD_DIR; got ${positionals.length}`, {
      hint: "Example: embedeval compare results-main results-branch (see `embedeval compare --help`).",
    });
  }
  const [baseDirectory, headDirectory] = positionals.map((path) => resolve(context.cwd, path)) as [
    string,
    string,
  ];
  const config = values.config ? await loadConfig(resolve(context.cwd, values.config)) : undefined;
  const rule = config?.compare ?? defaultCompareRule;
  const [base, head] = await Promise.all([
    readResultsDirectory(baseDirectory),
    readResultsDirectory(headDirectory),
  ]);
  if (head.length === 0) {
    throw new UsageError(`no result files in ${headDirectory}`, {
      hint: "Pass the folder `embedeval run` wrote (output.directory in embedeval.yml).",
    });
  }
  const comparison = compareResults(base, head, rule, {
    // With the head config, a model or task it lists but the head results lack failed: not "removed".
    ...(config
      ? {
          configured: {
            models: config.models.map((model) => model.id),
            tasks: config.tasks.map((task) => task.name),
          },
        }
      : {}),
    // The table shows gated metrics only: skip the statistics of the others unless they are printed.
    metrics: values.all || values.json || values.markdown ? "all" : "gated",
  });

  if (values.markdown) {
    const path = resolve(context.cwd, values.markdown);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, renderMarkdownReport(comparison, { configName: config?.name ?? "embedeval" }));
  }
  if (values.json) {
    // The TaskResult objects are large (per-query scores); the JSON output carries the rows only.
    const entries = comparison.entries.map(({ base: _base, head: _head, ...entry }) => entry);
    context.stdout.write(`${JSON.stringify({ ...comparison, entries }, null, 2)}\n`);
  } else {
    const color = colorEnabled(context.stdout, context.environment);
    context.stdout.write(renderTerminalReport(comparison, { color, allMetrics: values.all }));
  }
  // The same gate as the GitHub Action's step: a failed gated pair or a significant regression fails.
  return gateVerdict(comparison).passed ? ExitCode.ok : ExitCode.failed;
};
