import { DatasetError } from "@embedeval/provider-contract";
import { compareByteRanges, hashBytes, rangeEquals } from "../trec/byte-scanning.js";
import { compareDocumentIds } from "../trec/document-id-order.js";
import type { Qrels } from "../trec/qrels.js";
import type { RankedDocument, Run } from "../trec/run.js";
import { SearchRun } from "../trec/search-run.js";
import { TrecRun } from "../trec/trec-run.js";
import { averagePrecisionAt } from "./average-precision.js";
import { type JudgedRanking, RELEVANCE_LEVEL, rankGradedDocuments } from "./judged-ranking.js";
import { MEASURES, type Measure, metricNames, normalizeKValues } from "./metric-names.js";
import { ndcgAt } from "./ndcg.js";
import { precisionAt } from "./precision.js";
import { recallAt } from "./recall.js";
import { reciprocalRankAt } from "./reciprocal-rank.js";
import { successAt } from "./success.js";

export interface EvaluateRunOptions {
  /** Cutoffs: positive integers, no duplicates (the retrieval task passes MTEB's 1,3,5,10,20,100,1000). */
  kValues: readonly number[];
  /**
   * Drop a retrieved document whose id equals the query id before ranking. MTEB does this only for the tasks
   * that ask for it (ArguAna, Quora, ...); BEIR's evaluator does it by default.
   */
  ignoreIdenticalIds?: boolean;
  /**
   * Score a judged query that is missing from the run as 0 on every measure and count it in the means
   * (trec_eval's `-c`). Off by default, which is what trec_eval without `-c`, pytrec_eval and MTEB do: they
   * evaluate the queries of the run that have judgments and average over those (MTEB divides by the number of
   * queries pytrec_eval returned). `missingQueries` lists the judged queries the run lacks either way.
   */
  scoreMissingQueries?: boolean;
}

export interface RunEvaluation {
  /** Query id -> metric name (`ndcg_at_10`, ...) -> value, full precision. Run order, then missing queries. */
  perQuery: Map<string, Record<string, number>>;
  /** Metric name -> mean over the scored queries. Empty when no query was scored. */
  averages: Record<string, number>;
  scoredQueries: number;
  /** Judged queries (at least one qrels line) absent from the run. */
  missingQueries: string[];
  /** Run queries with no qrels line: not scored, as in trec_eval, pytrec_eval and MTEB. */
  unjudgedQueries: number;
  /** The cutoffs used, ascending. */
  kValues: number[];
}

const MEASURE_FUNCTIONS: Record<Measure, (ranking: JudgedRanking, k: number) => number> = {
  ndcg: ndcgAt,
  map: averagePrecisionAt,
  recall: recallAt,
  precision: precisionAt,
  mrr: reciprocalRankAt,
  hit_rate: successAt,
};

/** One qrels entry keyed by the hash of its document id's bytes, for matching a TrecRun without decoding ids. */
interface HashedJudgment {
  bytes: Buffer;
  grade: number;
  next: HashedJudgment | undefined;
}

interface PreparedJudgments {
  documents: Map<string, number>;
  totalRelevant: number;
  idealGrades: Float64Array;
  byHash: Map<number, HashedJudgment> | undefined;
}

function prepareJudgments(documents: Map<string, number>): PreparedJudgments {
  const positive: number[] = [];
  let totalRelevant = 0;
  for (const grade of documents.values()) {
    if (grade > 0) positive.push(grade);
    if (grade >= RELEVANCE_LEVEL) totalRelevant++;
  }
  positive.sort((a, b) => b - a);
  return { documents, totalRelevant, idealGrades: Float64Array.from(positive), byHash: undefined };
}

function hashJudgments(prepared: PreparedJudgments): Map<number, HashedJudgment> {
  const byHash = new Map<number, HashedJudgment>();
  for (const [documentId, grade] of prepared.documents) {
    if (grade <= 0) continue; // only graded documents matter to the ranking; the rest score like unjudged ones
    const bytes = Buffer.from(documentId, "utf8");
    const hash = hashBytes(bytes, 0, bytes.length);
    byHash.set(hash, { bytes, grade, next: byHash.get(hash) });
  }
  return byHash;
}

/** Grows scratch arrays to hold one query's documents. */
class Scratch {
  scores = new Float64Array(1024);
  grades = new Float64Array(1024);
  records = new Int32Array(1024);
  graded = new Int32Array(64);
  ranks = new Int32Array(64);
  rankedGrades = new Float64Array(64);
  ids: string[] = [];

  ensure(size: number): void {
    if (this.scores.length >= size) return;
    let capacity = this.scores.length;
    while (capacity < size) capacity *= 2;
    this.scores = new Float64Array(capacity);
    this.grades = new Float64Array(capacity);
    this.records = new Int32Array(capacity);
  }

  ensureGraded(count: number): void {
    if (this.graded.length > count) return;
    let capacity = this.graded.length;
    while (capacity <= count) capacity *= 2;
    const graded = new Int32Array(capacity);
    graded.set(this.graded);
    this.graded = graded;
    this.ranks = new Int32Array(capacity);
    this.rankedGrades = new Float64Array(capacity);
  }
}

/**
 * Scores a run against relevance judgments with MTEB's retrieval measures, computed as trec_eval does them
 * (pytrec_eval with relevance_level 1, which is how MTEB calls it; MRR as MTEB's own code): for every cutoff k,
 * ndcg_at_k, map_at_k, recall_at_k, precision_at_k, mrr_at_k and hit_rate_at_k. Values keep full precision;
 * MTEB rounds its means to 5 decimals, which is for display only here.
 *
 * The run is either a `Run` (query id -> documents) or a parsed `TrecRun` (scored straight from its byte
 * columns). Ranking order: score descending, ties by document id descending in byte order. A run query with no
 * qrels line is not scored; a query whose judgments are all grade 0 is scored (0 on every measure), as trec_eval
 * and pytrec_eval do. See `scoreMissingQueries` for judged queries the run lacks.
 */
export function evaluateRun(qrels: Qrels, run: Run | TrecRun, options: EvaluateRunOptions): RunEvaluation {
  const kValues = normalizeKValues(options.kValues);
  const names = metricNames(kValues);
  const ignoreIdenticalIds = options.ignoreIdenticalIds ?? false;
  const scratch = new Scratch();
  const ranking: JudgedRanking = {
    count: 0,
    ranks: scratch.ranks,
    grades: scratch.rankedGrades,
    totalRelevant: 0,
    idealGrades: new Float64Array(0),
  };
  const rows: { queryId: string; values: Float64Array }[] = [];
  const runQueryIds = new Set<string>();
  let unjudgedQueries = 0;

  const scoreRanking = (
    queryId: string,
    size: number,
    count: number,
    compareIds: (a: number, b: number) => number,
    prepared: PreparedJudgments,
  ): void => {
    rankGradedDocuments(size, scratch.scores, scratch.graded, count, compareIds, scratch.ranks);
    for (let index = 0; index < count; index++) {
      scratch.rankedGrades[index] = scratch.grades[scratch.graded[index] as number] as number;
    }
    ranking.count = count;
    ranking.ranks = scratch.ranks;
    ranking.grades = scratch.rankedGrades;
    ranking.totalRelevant = prepared.totalRelevant;
    ranking.idealGrades = prepared.idealGrades;
    const values = new Float64Array(names.length);
    let slot = 0;
    for (const measure of MEASURES) {
      const compute = MEASURE_FUNCTIONS[measure];
      for (const k of kValues) values[slot++] = compute(ranking, k);
    }
    rows.push({ queryId, values });
  };

  /**
   * Scores one query's ranking read by rank through accessors (a Run's lists, the search's columns):
   * `rankedBefore` says whether the document at that rank was already seen for this query.
   */
  const scoreIdRanking = (
    queryId: string,
    prepared: PreparedJudgments,
    length: number,
    idAt: (rank: number) => string,
    scoreAt: (rank: number) => number,
    rankedBefore: (rank: number) => boolean,
  ): void => {
    scratch.ensure(length);
    const ids = scratch.ids;
    let size = 0;
    let count = 0;
    for (let rank = 0; rank < length; rank++) {
      const id = idAt(rank);
      if (ignoreIdenticalIds && id === queryId) continue;
      if (rankedBefore(rank)) throw rankedTwice(id, queryId);
      const score = scoreAt(rank);
      if (Number.isNaN(score)) throw notANumber(id, queryId);
      const local = size++;
      ids[local] = id;
      scratch.scores[local] = score;
      const grade = prepared.documents.get(id);
      if (grade !== undefined && grade > 0) {
        scratch.ensureGraded(count + 1);
        scratch.graded[count++] = local;
        scratch.grades[local] = grade;
      }
    }
    const compareIds = (a: number, b: number): number =>
      compareDocumentIds(ids[a] as string, ids[b] as string);
    scoreRanking(queryId, size, count, compareIds, prepared);
  };

  const preparedCache = new Map<string, PreparedJudgments | undefined>();
  const judgmentsFor = (queryId: string): PreparedJudgments | undefined => {
    if (preparedCache.has(queryId)) return preparedCache.get(queryId);
    const documents = qrels.get(queryId);
    const prepared =
      documents === undefined || documents.size === 0 ? undefined : prepareJudgments(documents);
    preparedCache.set(queryId, prepared);
    return prepared;
  };

  if (run instanceof TrecRun) {
    const { bytes, documentStarts, documentEnds, documentHashes, order, groupStarts } = run;
    for (let query = 0; query < run.queryIds.length; query++) {
      const queryId = run.queryIds[query] as string;
      runQueryIds.add(queryId);
      const prepared = judgmentsFor(queryId);
      if (prepared === undefined) {
        unjudgedQueries++;
        continue;
      }
      prepared.byHash ??= hashJudgments(prepared);
      const byHash = prepared.byHash;
      const queryBytes = ignoreIdenticalIds ? Buffer.from(queryId, "utf8") : undefined;
      const start = groupStarts[query] as number;
      const end = groupStarts[query + 1] as number;
      scratch.ensure(end - start);
      let size = 0;
      let count = 0;
      for (let slot = start; slot < end; slot++) {
        const record = order[slot] as number;
        const documentStart = documentStarts[record] as number;
        const documentEnd = documentEnds[record] as number;
        if (queryBytes !== undefined && rangeEquals(bytes, documentStart, documentEnd, queryBytes)) continue;
        const local = size++;
        scratch.records[local] = record;
        scratch.scores[local] = run.scores[record] as number;
        let judgment = byHash.size === 0 ? undefined : byHash.get(documentHashes[record] as number);
        while (judgment !== undefined && !rangeEquals(bytes, documentStart, documentEnd, judgment.bytes)) {
          judgment = judgment.next;
        }
        if (judgment !== undefined) {
          scratch.ensureGraded(count + 1);
          scratch.graded[count++] = local;
          scratch.grades[local] = judgment.grade;
        }
      }
      const records = scratch.records;
      const compareIds = (a: number, b: number): number => {
        const recordA = records[a] as number;
        const recordB = records[b] as number;
        return compareByteRanges(
          bytes,
          documentStarts[recordA] as number,
          documentEnds[recordA] as number,
          documentStarts[recordB] as number,
          documentEnds[recordB] as number,
        );
      };
      scoreRanking(queryId, size, count, compareIds, prepared);
    }
  } else if (run instanceof SearchRun) {
    // The search's columns, read in place: a million { id, score } lists and a Set of their ids would
    // cost several times the scoring itself.
    const { documentIds, indices, scores, k } = run;
    // Per document index, the last query it was ranked for: a duplicate is found without a Set.
    const lastRankedFor = new Int32Array(documentIds.length).fill(-1);
    let query = 0;
    for (const [queryId, row] of run.rowsByQuery()) {
      query++;
      runQueryIds.add(queryId);
      const prepared = judgmentsFor(queryId);
      if (prepared === undefined) {
        unjudgedQueries++;
        continue;
      }
      const base = row * k;
      scoreIdRanking(
        queryId,
        prepared,
        k,
        (rank) => documentIds[indices[base + rank] as number] as string,
        (rank) => scores[base + rank] as number,
        (rank) => {
          const index = indices[base + rank] as number;
          if (lastRankedFor[index] === query) return true;
          lastRankedFor[index] = query;
          return false;
        },
      );
    }
  } else {
    for (const [queryId, documents] of run) {
      runQueryIds.add(queryId);
      const prepared = judgmentsFor(queryId);
      if (prepared === undefined) {
        unjudgedQueries++;
        continue;
      }
      const seen = new Set<string>();
      scoreIdRanking(
        queryId,
        prepared,
        documents.length,
        (rank) => (documents[rank] as RankedDocument).id,
        (rank) => (documents[rank] as RankedDocument).score,
        (rank) => {
          const id = (documents[rank] as RankedDocument).id;
          if (seen.has(id)) return true;
          seen.add(id);
          return false;
        },
      );
    }
  }

  const missingQueries: string[] = [];
  for (const [queryId, documents] of qrels) {
    if (documents.size > 0 && !runQueryIds.has(queryId)) missingQueries.push(queryId);
  }
  if (options.scoreMissingQueries) {
    for (const queryId of missingQueries) rows.push({ queryId, values: new Float64Array(names.length) });
  }

  const perQuery = new Map<string, Record<string, number>>();
  const sums = new Float64Array(names.length);
  for (const { queryId, values } of rows) {
    const record: Record<string, number> = {};
    for (let slot = 0; slot < names.length; slot++) {
      const value = values[slot] as number;
      record[names[slot] as string] = value;
      sums[slot] = (sums[slot] as number) + value;
    }
    perQuery.set(queryId, record);
  }
  const averages: Record<string, number> = {};
  if (rows.length > 0) {
    for (let slot = 0; slot < names.length; slot++)
      averages[names[slot] as string] = (sums[slot] as number) / rows.length;
  }
  return { perQuery, averages, scoredQueries: rows.length, missingQueries, unjudgedQueries, kValues };
}

function rankedTwice(documentId: string, queryId: string): DatasetError {
  return new DatasetError(`Document \`${documentId}\` is ranked twice for query \`${queryId}\`.`, {
    hint: "A ranking lists each document once; trec_eval refuses duplicates too.",
  });
}

function notANumber(documentId: string, queryId: string): DatasetError {
  return new DatasetError(`Document \`${documentId}\` of query \`${queryId}\` has a NaN score.`, {
    hint: "NaN cannot be ranked; check the vectors (NaN in an embedding) or the scoring function.",
  });
}
