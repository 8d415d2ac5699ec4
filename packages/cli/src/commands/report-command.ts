import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  compareResults,
  defaultCompareRule,
  defaultQueriesPerEntry,
  documentsShown,
  loadConfig,
  readDatasetTexts,
  readResultPredictions,
  readResultsDirectory,
  renderHtmlReport,
  renderMarkdownReport,
  renderTerminalReport,
  UsageError,
} from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { colorEnabled } from "../terminal-environment.js";

const help = `Usage: embedeval report RESULTS_DIR [--config FILE] [--baseline DIR] [--markdown OUT] [--html OUT]

Renders a results folder: absolute scores, latency, cost and texts embedded per (model, task), as an
aligned table, optionally as the markdown the GitHub Action posts and as a self-contained HTML report
(quality against price and latency with the Pareto front, each task's table; with --baseline, the deltas
with their confidence intervals and the queries that got worse).

Options:
  -c, --config FILE     take the gated metric and the report's name from this config, and the query texts
                        of its local datasets for the HTML report
  -b, --baseline DIR    compare with the results in DIR
      --markdown OUT    write the markdown report to OUT
      --html OUT        write the HTML report to OUT (one file, opens offline)
      --all             list every metric, not only the gated one`;

export const reportCommand: Command = async (context) => {
  const { values, positionals } = parseCommandArguments("report", {
    args: context.argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      baseline: { type: "string", short: "b" },
      markdown: { type: "string" },
      html: { type: "string" },
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
  // Without a baseline, a comparison against nothing: every row "added", absolute scores only.
  const baselineDirectory = values.baseline ? resolve(context.cwd, values.baseline) : undefined;
  const baseline = baselineDirectory ? await readResultsDirectory(baselineDirectory) : [];
  const comparison = compareResults(baseline, results, config?.compare ?? defaultCompareRule);
  const configName = config?.name ?? "embedeval";
  if (values.markdown) {
    const path = resolve(context.cwd, values.markdown);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, renderMarkdownReport(comparison, { configName }));
  }
  if (values.html) {
    const path = resolve(context.cwd, values.html);
    await mkdir(dirname(path), { recursive: true });
    // Each side's top 10 per query (the predictions files beside the result files), and from the
    // config's local datasets the query texts, judgments and the texts of the documents shown.
    const predictions = {
      head: await readResultPredictions(directory, results),
      ...(baselineDirectory ? { base: await readResultPredictions(baselineDirectory, baseline) } : {}),
    };
    const texts = config
      ? await readDatasetTexts(
          config.tasks,
          (line) => context.stderr.write(`${line}\n`),
          documentsShown(comparison, predictions, defaultQueriesPerEntry),
        )
      : {};
    await writeFile(
      path,
      renderHtmlReport(comparison, { configName, generatedAt: new Date(), predictions, ...texts }),
    );
    context.stderr.write(`HTML report: ${path}\n`);
  }
  const color = colorEnabled(context.stdout, context.environment);
  context.stdout.write(renderTerminalReport(comparison, { color, allMetrics: values.all }));
  return ExitCode.ok;
};
