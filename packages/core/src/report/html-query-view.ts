import type { Comparison, ComparisonEntry } from "../compare/comparison.js";
import type { TaskPredictions } from "../results/task-predictions.js";
import type { RankedDocument } from "../trec/run.js";
import { html, taskKey } from "./html-report-data.js";
import { type PredictionsByEntry, predictionsKey, worsenedQueries } from "./query-rankings.js";
import type { DatasetTexts } from "./query-texts.js";
import { formatCount, formatDelta, formatScore, metricLabel } from "./report-format.js";

/** How many worsened queries the view lists per (model, task) unless told otherwise. */
export const defaultQueriesPerEntry = 10;

export interface QueryViewSources extends DatasetTexts {
  /** Each side's top 10 per query (MTEB's predictions files), by predictionsKey(model, task). */
  predictions?: { base?: PredictionsByEntry; head?: PredictionsByEntry };
  queriesPerEntry?: number;
}

/**
 * The queries that got worse, per compared (model, task), worst first: each with its text and its top
 * documents before (baseline) and after (head), each document with its id, whether the judgments call it
 * relevant, and the start of its text. What the report could not read is named, not silently left out.
 */
export function renderQueryView(comparison: Comparison, sources: QueryViewSources): string {
  const limit = sources.queriesPerEntry ?? defaultQueriesPerEntry;
  let rankingsShown = false;
  let rankingsMissing = false;
  const blocks = comparison.entries.flatMap((entry) => {
    const worse = worsenedQueries(entry, Number.POSITIVE_INFINITY);
    if (worse.length === 0) return [];
    const texts = sources.queryTexts?.get(entry.task);
    const key = predictionsKey(entry.model, entry.task);
    const before = sources.predictions?.base?.get(key);
    const after = sources.predictions?.head?.get(key);
    if (before || after) rankingsShown = true;
    if (!before || !after) rankingsMissing = true;
    const listed = worse.slice(0, limit);
    const rows = listed
      .map(
        (change) =>
          `<tr><td><code>${html(change.queryId)}</code></td><td>${html(texts?.get(change.queryId) ?? "—")}</td><td class="number">${html(formatScore(change.base))}</td><td class="number">${html(formatScore(change.head))}</td><td class="number">${html(formatDelta(change.delta))}</td></tr>`,
      )
      .join("");
    const rankings =
      before || after
        ? listed
            .map((change, index) =>
              renderQueryRankings(entry, change.queryId, texts?.get(change.queryId), index === 0, {
                before,
                after,
                sources,
              }),
            )
            .join("")
        : "";
    return [
      `<details class="entry"${entry.primary.verdict === "regression" ? " open" : ""}><summary>${html(entry.model)} × ${html(taskKey(entry))}: ${formatCount(worse.length)} of ${formatCount(entry.primary.pairedQueries)} queries worse on ${html(metricLabel(entry.metric))}</summary><table><thead><tr><th>Query</th><th>Text</th><th>Base</th><th>Head</th><th>Δ</th></tr></thead><tbody>${rows}</tbody></table>${rankings}</details>`,
    ];
  });
  if (blocks.length === 0) return "";
  const missing = [
    sources.queryTexts ? "" : "the query texts (pass the config so the datasets can be read)",
    rankingsMissing
      ? rankingsShown
        ? "the top documents of the entries without a predictions file on one side (written by `embedeval run` from this version on)"
        : "the top documents before and after (no predictions files beside the result files: they are written by `embedeval run` from this version on)"
      : "",
    rankingsShown && !sources.documentTexts
      ? "the documents' texts (read from local dataset folders only: pass the config)"
      : "",
  ].filter((part) => part !== "");
  const note = missing.length > 0 ? `<p class="note">Not shown: ${html(missing.join("; "))}.</p>` : "";
  return `<section><h2>Queries that got worse</h2>${note}${blocks.join("")}</section>`;
}

function renderQueryRankings(
  entry: ComparisonEntry,
  queryId: string,
  queryText: string | undefined,
  open: boolean,
  sides: {
    before?: TaskPredictions | undefined;
    after?: TaskPredictions | undefined;
    sources: QueryViewSources;
  },
): string {
  const judged = sides.sources.qrels?.get(entry.task)?.get(entry.split)?.get(queryId);
  const documentTexts = sides.sources.documentTexts?.get(entry.task);
  const before = sides.before?.get(entry.split)?.get(queryId);
  const after = sides.after?.get(entry.split)?.get(queryId);
  const table = (
    caption: string,
    documents: RankedDocument[] | undefined,
    other: RankedDocument[] | undefined,
  ) => {
    if (!documents)
      return `<div class="ranking"><p class="note">${html(caption)}: no predictions file.</p></div>`;
    const otherIds = new Set((other ?? []).map((document) => document.id));
    const rows = documents
      .map((document, rank) => {
        const grade = judged?.get(document.id);
        const relevant = grade !== undefined && grade > 0;
        const cells = [
          `<td class="number">${rank + 1}</td>`,
          `<td><code>${html(document.id)}</code>${other && !otherIds.has(document.id) ? ' <span class="moved">new</span>' : ""}</td>`,
          `<td class="number">${html(Number(document.score.toPrecision(4)))}</td>`,
          judged ? `<td>${relevant ? `relevant (${grade})` : ""}</td>` : "",
          documentTexts ? `<td class="excerpt">${html(documentTexts.get(document.id) ?? "")}</td>` : "",
        ];
        return `<tr${relevant ? ' class="relevant"' : ""}>${cells.join("")}</tr>`;
      })
      .join("");
    const header = `<th>#</th><th>Document</th><th>Score</th>${judged ? "<th>Judged</th>" : ""}${documentTexts ? "<th>Text</th>" : ""}`;
    return `<div class="ranking"><table><caption>${html(caption)}</caption><thead><tr>${header}</tr></thead><tbody>${rows || `<tr><td colspan="5">nothing retrieved</td></tr>`}</tbody></table></div>`;
  };
  return `<details class="query"${open ? " open" : ""}><summary>Top ${Math.max(before?.length ?? 0, after?.length ?? 0)} documents for <code>${html(queryId)}</code>${queryText ? ` ${html(queryText)}` : ""}</summary><div class="rankings">${table("Before (baseline)", before, after)}${table("After (head)", after, before)}</div></details>`;
}
