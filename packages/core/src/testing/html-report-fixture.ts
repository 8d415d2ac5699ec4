/**
 * A model-selection study in miniature, for the HTML report's tests and its screenshot: five models with
 * known prices, latencies, dimensions and per-query scores, and a baseline in which one of them was better.
 */
import { compareResults } from "../compare/compare-results.js";
import type { Comparison } from "../compare/comparison.js";
import type { QueryViewSources } from "../report/html-query-view.js";
import { predictionsKey } from "../report/query-rankings.js";
import { documentExcerpt } from "../report/query-texts.js";
import type { TaskPredictions } from "../results/task-predictions.js";
import type { TaskResult } from "../results/task-result.js";
import type { Qrels } from "../trec/qrels.js";
import type { RankedDocument } from "../trec/run.js";
import { buildTaskResult, noisyScores } from "./task-result-builder.js";

export interface FixtureModel {
  id: string;
  provider: string;
  dimensions: number | undefined;
  pricePerMillionTokens: number | null;
  latencyP50Ms: number | null;
  /** Mean nDCG@10 the head side is built around, per task. */
  quality: number;
  /** How much the head side lost against the baseline, per query. */
  drop: number;
}

export const fixtureModels: FixtureModel[] = [
  {
    id: "titan-v2-512",
    provider: "bedrock",
    dimensions: 512,
    pricePerMillionTokens: 0.02,
    latencyP50Ms: 120,
    quality: 0.7,
    drop: 0.04,
  },
  {
    id: "cohere-v3",
    provider: "bedrock",
    dimensions: 1024,
    pricePerMillionTokens: 0.1,
    latencyP50Ms: 90,
    quality: 0.72,
    drop: 0,
  },
  {
    id: "openai-3-small",
    provider: "openai",
    dimensions: 1536,
    pricePerMillionTokens: 0.02,
    latencyP50Ms: 200,
    quality: 0.66,
    drop: 0,
  },
  {
    id: "bge-base-local",
    provider: "local",
    dimensions: 768,
    pricePerMillionTokens: null,
    latencyP50Ms: 40,
    quality: 0.64,
    drop: 0,
  },
  {
    id: "bm25",
    provider: "bm25",
    dimensions: undefined,
    pricePerMillionTokens: null,
    latencyP50Ms: null,
    quality: 0.55,
    drop: 0,
  },
];

export const fixtureTasks = ["SciFact", "SupportTickets"];

/** The per-query nDCG@10 of a model on a task (head side), clamped to [0, 1]. */
export function fixtureScores(model: FixtureModel, taskIndex: number): number[] {
  const seed = fixtureModels.indexOf(model) * 10 + taskIndex + 1;
  const raw = noisyScores(80, model.quality, 0.25, seed).map((value) => Math.min(1, Math.max(0, value)));
  // Re-centre so the mean is exactly the model's quality (clamping moved it).
  const shift = model.quality - raw.reduce((sum, value) => sum + value, 0) / raw.length;
  return raw.map((value) => value + shift);
}

function result(model: FixtureModel, task: string, scores: number[]): TaskResult {
  const built = buildTaskResult({
    model: model.id,
    task,
    provider: model.provider,
    ndcg: scores,
    derive: (ndcg) => ({
      ndcg_at_1: Math.max(0, ndcg - 0.1),
      ndcg_at_100: Math.min(1, ndcg + 0.05),
      recall_at_100: Math.min(1, ndcg + 0.2),
      map_at_10: Math.max(0, ndcg - 0.05),
    }),
    usage: {
      pricePerMillionTokens: model.pricePerMillionTokens,
      costUsd: model.pricePerMillionTokens === null ? null : (model.pricePerMillionTokens * 50_000) / 1e6,
      latencyMs:
        model.latencyP50Ms === null
          ? null
          : { p50: model.latencyP50Ms, p95: model.latencyP50Ms * 2.5, mean: model.latencyP50Ms * 1.2 },
    },
  });
  if (model.dimensions !== undefined) built.embedeval.model.dimensions = model.dimensions;
  return built;
}

export function fixtureComparison(): Comparison {
  const head: TaskResult[] = [];
  const base: TaskResult[] = [];
  for (const model of fixtureModels) {
    fixtureTasks.forEach((task, taskIndex) => {
      const scores = fixtureScores(model, taskIndex);
      head.push(result(model, task, scores));
      // Per-query noise around the model's drop: the baseline differs query by query, as real runs do.
      const jitter = noisyScores(
        scores.length,
        0.5,
        0.06,
        100 + fixtureModels.indexOf(model) * 10 + taskIndex,
      );
      base.push(
        result(
          model,
          task,
          scores.map((value, index) => value + model.drop + ((jitter[index] as number) - 0.5) / 2),
        ),
      );
    });
  }
  return compareResults(
    base,
    head,
    {
      metric: "ndcg_at_10",
      maxDrop: { kind: "absolute", amount: 0.01 },
      significance: 0.05,
      resamples: 500,
      seed: 7,
      overrides: [],
    },
    { permutations: 500 },
  );
}

const claimSubjects = [
  "vitamin D supplements",
  "statins",
  "the BRCA1 mutation",
  "intermittent fasting",
  "gut microbiota",
  "aspirin",
  "sleep deprivation",
  "the measles vaccine",
];
const claimEffects = [
  "lower the risk of fractures in older adults",
  "reduce cardiovascular mortality",
  "raise the incidence of breast cancer",
  "improve insulin sensitivity",
  "change how the immune system responds",
  "prevent a second stroke",
];

/** Query i's text: a claim, as SciFact's queries are. */
function fixtureQueryText(index: number): string {
  return `Does ${claimSubjects[index % claimSubjects.length]} ${claimEffects[index % claimEffects.length]}?`;
}

/** Document n's text: an abstract's first sentences (long enough to be cut at 200 characters). */
function fixtureDocumentText(document: number): string {
  const subject = claimSubjects[document % claimSubjects.length];
  const effect = claimEffects[(document * 5) % claimEffects.length];
  return `A randomised trial of ${subject} in ${200 + document * 37} participants. We tested whether ${subject} ${effect}. Over a median follow-up of ${2 + (document % 7)} years, the primary outcome differed between arms; secondary outcomes are reported in the supplement.`;
}

/**
 * What the per-query view reads besides the result files, for the fixture's comparison: each side's top 10
 * per query (the first relevant document ranked lower the worse the query's nDCG@10), the query texts, the
 * judgments and the documents' texts. Deterministic, so the screenshot is too.
 */
export function fixtureQueryViewSources(comparison: Comparison): QueryViewSources {
  const predictions = { base: new Map<string, TaskPredictions>(), head: new Map<string, TaskPredictions>() };
  const queryTexts = new Map<string, Map<string, string>>();
  const documentTexts = new Map<string, Map<string, string>>();
  const qrels = new Map<string, Map<string, Qrels>>();
  const corpusSize = 240;
  for (const entry of comparison.entries) {
    const judged: Qrels = new Map();
    const texts = new Map<string, string>();
    const sides = { base: new Map<string, RankedDocument[]>(), head: new Map<string, RankedDocument[]>() };
    for (const side of ["base", "head"] as const) {
      const perQuery = entry[side]?.embedeval.per_query[entry.split] ?? {};
      for (const [queryId, metrics] of Object.entries(perQuery)) {
        const index = Number(queryId.slice(1));
        const relevant = [(index * 3) % corpusSize, (index * 3 + 1) % corpusSize];
        judged.set(queryId, new Map(relevant.map((document) => [`doc-${document}`, 1 + (document % 2)])));
        texts.set(queryId, fixtureQueryText(index));
        const quality = Math.min(1, Math.max(0, metrics.ndcg_at_10 ?? 0));
        const firstRelevant = Math.round((1 - quality) * 8);
        const ranked: number[] = [];
        for (let rank = 0, other = 0; rank < 10; rank++) {
          if (rank === firstRelevant) ranked.push(relevant[0] as number);
          else if (rank === firstRelevant + 1) ranked.push(relevant[1] as number);
          else ranked.push((index * 7 + 100 + other++ * 11 + (side === "head" ? 3 : 0)) % corpusSize);
        }
        sides[side].set(
          queryId,
          ranked.map((document, rank) => ({
            id: `doc-${document}`,
            score: Number((0.86 - rank * 0.021 - (side === "head" ? 0.004 : 0)).toFixed(4)),
          })),
        );
      }
    }
    const key = predictionsKey(entry.model, entry.task);
    predictions.base.set(key, new Map([[entry.split, sides.base]]));
    predictions.head.set(key, new Map([[entry.split, sides.head]]));
    queryTexts.set(entry.task, texts);
    qrels.set(entry.task, new Map([[entry.split, judged]]));
  }
  for (const task of fixtureTasks) {
    documentTexts.set(
      task,
      new Map(
        Array.from({ length: corpusSize }, (_, document) => [
          `doc-${document}`,
          documentExcerpt(fixtureDocumentText(document)),
        ]),
      ),
    );
  }
  return { predictions, queryTexts, documentTexts, qrels };
}
