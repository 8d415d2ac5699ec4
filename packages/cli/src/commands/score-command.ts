import { resolve } from "node:path";
import {
  DatasetError,
  EmbedEvalError,
  evaluateRun,
  formatCount,
  formatError,
  MEASURES,
  type Measure,
  metricName,
  parseKValues,
  readQrels,
  readTrecRun,
  retrievalKValues,
  UsageError,
} from "@embedeval/core";
import { type Command, type CommandContext, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";

const help = `Usage: embedeval score --qrels FILE --run FILE [--k 1,3,10] [--per-query] [--json]

Scores a TREC run file against relevance judgments with MTEB's retrieval measures (nDCG, MAP, recall,
precision, MRR, hit rate at every k), computed exactly as trec_eval / pytrec_eval do (relevance level 1,
ties broken by document id).

Options:
      --qrels FILE            judgments: TREC qrels (\`qid 0 docid grade\`) or BEIR tsv (\`query-id corpus-id score\`)
      --run FILE              TREC run: \`qid Q0 docid rank score tag\` per line
      --k LIST                cutoffs, comma-separated (default ${retrievalKValues.join(",")})
      --per-query             also print every query's scores (JSON: a \`per_query\` object)
      --json                  print one JSON object keyed by MTEB metric names (ndcg_at_10, ...) holding the means
      --ignore-identical-ids  drop a retrieved document whose id equals the query id (MTEB does for ArguAna, Quora, ...)
      --score-missing         score judged queries absent from the run as 0 and count them (trec_eval -c);
                              by default they are left out, as MTEB and pytrec_eval do

Exit codes: 0 ok, 1 no judged query in the run, 2 usage error or unreadable/malformed input file.`;

const MEASURE_LABELS: Record<Measure, string> = {
  ndcg: "nDCG",
  map: "MAP",
  recall: "Recall",
  precision: "Precision",
  mrr: "MRR",
  hit_rate: "Hit rate",
};

function fail(context: CommandContext, error: unknown, code: number): number {
  context.stderr.write(`${formatError(error)}\n`);
  return code;
}

export const scoreCommand: Command = async (context) => {
  let values: {
    qrels?: string;
    run?: string;
    k?: string;
    "per-query"?: boolean;
    json?: boolean;
    "ignore-identical-ids"?: boolean;
    "score-missing"?: boolean;
    help?: boolean;
  };
  let kValues: number[];
  try {
    ({ values } = parseCommandArguments("score", {
      args: context.argv,
      allowPositionals: false,
      options: {
        qrels: { type: "string" },
        run: { type: "string" },
        k: { type: "string" },
        "per-query": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "ignore-identical-ids": { type: "boolean", default: false },
        "score-missing": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    for (const flag of ["qrels", "run"] as const) {
      if (!values[flag]) {
        throw new UsageError(`Missing --${flag} FILE.`, {
          hint:
            flag === "qrels"
              ? "Pass the relevance judgments, e.g. `--qrels qrels/test.tsv` (TREC qrels or BEIR tsv)."
              : "Pass the ranking to score, e.g. `--run run.trec` (`qid Q0 docid rank score tag` lines).",
        });
      }
    }
    kValues = values.k === undefined ? [...retrievalKValues] : parseKValues(values.k);
  } catch (error) {
    return fail(context, error, ExitCode.usage);
  }

  const qrelsPath = resolve(context.cwd, values.qrels as string);
  const runPath = resolve(context.cwd, values.run as string);
  let evaluation: ReturnType<typeof evaluateRun>;
  let summary: string;
  try {
    const [qrels, run] = await Promise.all([readQrels(qrelsPath), readTrecRun(runPath)]);
    evaluation = evaluateRun(qrels.qrels, run, {
      kValues,
      ignoreIdenticalIds: values["ignore-identical-ids"],
      scoreMissingQueries: values["score-missing"],
    });
    summary = [
      `qrels: ${values.qrels} (${qrels.format === "beir" ? "BEIR tsv" : "TREC"}, ${count(qrels.judgments, "judgment", "judgments")}, ${count(qrels.qrels.size, "query", "queries")})`,
      `run:   ${values.run} (${count(run.size, "ranked document", "ranked documents")}, ${count(run.queryIds.length, "query", "queries")})`,
      `scored queries: ${evaluation.scoredQueries}`,
    ].join("\n");
  } catch (error) {
    // Unreadable or malformed input is the user's to fix: usage exit code, message with file and line.
    if (EmbedEvalError.is(error) && (error.code === "dataset" || error.code === "usage")) {
      return fail(context, error, ExitCode.usage);
    }
    throw error;
  }

  if (evaluation.unjudgedQueries > 0) {
    context.stderr.write(
      `warning: ${evaluation.unjudgedQueries} run ${plural(evaluation.unjudgedQueries, "query has", "queries have")} no judgments and ${plural(evaluation.unjudgedQueries, "was", "were")} not scored\n`,
    );
  }
  if (evaluation.missingQueries.length > 0) {
    const listed = evaluation.missingQueries.slice(0, 5).join(", ");
    const more =
      evaluation.missingQueries.length > 5 ? `, ... (${evaluation.missingQueries.length - 5} more)` : "";
    context.stderr.write(
      values["score-missing"]
        ? `warning: ${evaluation.missingQueries.length} judged ${plural(evaluation.missingQueries.length, "query is", "queries are")} missing from the run and scored 0: ${listed}${more}\n`
        : `warning: ${evaluation.missingQueries.length} judged ${plural(evaluation.missingQueries.length, "query is", "queries are")} missing from the run and left out of the means (pass --score-missing to count them as 0): ${listed}${more}\n`,
    );
  }
  if (evaluation.scoredQueries === 0) {
    return fail(
      context,
      new DatasetError("No query of the run has judgments, so there is nothing to score.", {
        hint: "Check that the run and the qrels use the same query ids (and the same split).",
      }),
      ExitCode.failed,
    );
  }

  if (values.json) {
    const output: Record<string, unknown> = { ...evaluation.averages };
    if (values["per-query"]) output.per_query = Object.fromEntries(evaluation.perQuery);
    context.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return ExitCode.ok;
  }

  context.stdout.write(`${summary}\n\n${renderTable(evaluation.averages, evaluation.kValues)}\n`);
  if (values["per-query"]) {
    // trec_eval -q style: one line per query and metric, tab-separated, so it stays greppable.
    const lines: string[] = ["", "query\tmetric\tvalue"];
    for (const [queryId, scores] of evaluation.perQuery) {
      for (const [name, value] of Object.entries(scores))
        lines.push(`${queryId}\t${name}\t${value.toFixed(5)}`);
    }
    context.stdout.write(`${lines.join("\n")}\n`);
  }
  return ExitCode.ok;
};

/** Measures as rows, one column per k, values rounded to 5 decimals as MTEB rounds its means. */
function renderTable(averages: Record<string, number>, kValues: readonly number[]): string {
  const header = ["measure", ...kValues.map((k) => `@${k}`)];
  const rows = MEASURES.map((measure) => [
    MEASURE_LABELS[measure],
    ...kValues.map((k) => (averages[metricName(measure, k)] as number).toFixed(5)),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const format = (row: string[]): string =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}

function count(value: number, one: string, many: string): string {
  return `${formatCount(value)} ${plural(value, one, many)}`;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}
