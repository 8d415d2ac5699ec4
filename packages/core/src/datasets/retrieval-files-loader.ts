/**
 * Loads a retrieval dataset from its files, whatever their format and wherever they came from (a BEIR
 * folder, a hub download): the corpus and queries as JSON lines or parquet records with `_id` (or `id`),
 * `text` and an optional `title`; the qrels as TSV, JSON lines or parquet. One loader, so a score does
 * not depend on the layout the files had.
 */
import { basename } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import {
  type CorpusSnapshotOptions,
  keepCorpusSnapshot,
  readCorpusSnapshot,
  stampCorpusFiles,
} from "./corpus-snapshot.js";
import { type Judgment, readJudgments, readRecordBatches } from "./dataset-records.js";
import { type JsonRecord, sha256 } from "./read-lines.js";
import type { CorpusDocument, Qrels, Query, RetrievalDataset } from "./retrieval-dataset.js";

export interface RetrievalFiles {
  /** Read in order, as one corpus (a dataset may shard it). */
  corpus: readonly string[];
  queries: readonly string[];
  /** The judgments of `split`. */
  qrels: readonly string[];
}

export interface LoadRetrievalFilesOptions {
  files: RetrievalFiles;
  split: string;
  /** Task name recorded in results. */
  name: string;
  signal?: AbortSignal;
  /** Keep the parsed corpus for the next run, and take it back while its files are unchanged. */
  corpusSnapshots?: CorpusSnapshotOptions;
}

/** How many ids a summarised warning or error quotes before "...". */
const quotedIdCount = 5;

/**
 * Reads the corpus, the queries and one split's judgments. Queries are kept in file order but
 * restricted to those with at least one judgment in the split (grade 0 included), as BEIR's
 * GenericDataLoader and MTEB do: the others are not scored, so embedding them would be wasted.
 */
export async function loadRetrievalFiles(options: LoadRetrievalFilesOptions): Promise<RetrievalDataset> {
  const { files, split, name, signal } = options;
  const { corpus, documentIds, corpusSha256 } = await readCorpus(options);
  if (corpus.length === 0) {
    throw new DatasetError("The corpus is empty: no document to retrieve.", {
      file: files.corpus[0],
      hint: 'Add one JSON object a line: {"_id": "d1", "title": "...", "text": "..."}.',
    });
  }
  const queriesHash = sha256();
  const { items: allQueries, ids: queryIds } = await readIdentifiedRecords(
    files.queries,
    "query",
    { hash: queriesHash, ...(signal ? { signal } : {}) },
    (record, id, file): Query => ({ id, text: readText(record, file) }),
  );
  const qrelsHash = sha256();
  const { qrels, warnings } = await readQrels(files, qrelsHash, queryIds, documentIds, signal);
  if (qrels.size === 0) {
    throw new DatasetError(`No query of ${files.queries.join(", ")} has a judgment in split "${split}".`, {
      file: files.qrels[0],
      hint: "Check that the query-id column of the qrels uses the _id values of the queries.",
    });
  }
  // The hash of each file's stored bytes, combined with the file's role, so the revision is stable
  // across machines and changes whenever any of the files changes.
  const combined = sha256();
  combined.update(`corpus ${corpusSha256}\n`);
  combined.update(`queries ${queriesHash.digest("hex")}\n`);
  combined.update(`qrels ${split} ${qrelsHash.digest("hex")}\n`);
  return {
    name,
    corpus,
    queries: allQueries.filter((query) => qrels.has(query.id)),
    qrels,
    split,
    contentHash: combined.digest("hex"),
    warnings,
  };
}

/** The corpus from its snapshot when one is kept and its files are unchanged, else parsed (and kept). */
async function readCorpus(
  options: LoadRetrievalFilesOptions,
): Promise<{ corpus: CorpusDocument[]; documentIds: Set<string>; corpusSha256: string }> {
  const { files, signal, corpusSnapshots } = options;
  // The files' stamps, taken once: they find a kept snapshot, and decide afterwards whether this parse is kept.
  const before = corpusSnapshots === undefined ? undefined : stampCorpusFiles(files.corpus);
  const snapshot =
    corpusSnapshots === undefined || before === undefined
      ? undefined
      : readCorpusSnapshot(corpusSnapshots, files.corpus, before);
  if (snapshot !== undefined) {
    return { corpus: snapshot.corpus, documentIds: snapshot.ids, corpusSha256: snapshot.sha256 };
  }
  const corpusHash = sha256();
  const { items: corpus, ids: documentIds } = await readIdentifiedRecords(
    files.corpus,
    "document",
    { hash: corpusHash, ...(signal ? { signal } : {}) },
    (record, id, file): CorpusDocument => ({
      id,
      title: readTitle(record, file),
      text: readText(record, file),
    }),
  );
  const corpusSha256 = corpusHash.digest("hex");
  if (corpusSnapshots !== undefined && before !== undefined && corpus.length > 0) {
    keepCorpusSnapshot(corpusSnapshots, files.corpus, before, corpus, corpusSha256);
  }
  return { corpus, documentIds, corpusSha256 };
}

const idColumns = ["_id", "id"] as const;

/** Reads records with ids (corpus or queries) from each file in turn, refusing an id seen before. */
async function readIdentifiedRecords<T>(
  files: readonly string[],
  kind: "document" | "query",
  reading: Parameters<typeof readRecordBatches>[1],
  build: (record: JsonRecord, id: string, file: string) => T,
): Promise<{ items: T[]; ids: Set<string> }> {
  const items: T[] = [];
  const ids = new Set<string>();
  for (const file of files) {
    const batches = readRecordBatches(file, { ...reading, requiredColumns: [idColumns, ["text"]] });
    for await (const records of batches) {
      for (const record of records) {
        const id = readId(record, file);
        if (ids.has(id)) {
          throw new DatasetError(`Duplicate ${kind} id "${id}".`, {
            file,
            line: record.lineNumber,
            hint: `Every ${kind} needs its own _id; remove or rename the duplicate.`,
          });
        }
        ids.add(id);
        items.push(build(record, id, file));
      }
    }
  }
  return { items, ids };
}

/** `_id` (BEIR, MTEB 1) or `id` (MTEB 2 uploads). */
function readId(record: JsonRecord, file: string): string {
  const key = record.value._id !== undefined ? "_id" : record.value.id !== undefined ? "id" : "_id";
  const id = record.value[key];
  if (typeof id === "string" && id !== "") return id;
  // Some BEIR exports write numeric ids (e.g. 4983 instead of "4983"); qrels name them as text,
  // so a number is accepted and converted to its decimal string.
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  if (typeof id === "bigint") return id.toString();
  throw new DatasetError(
    id === undefined ? "Missing _id." : `${key} must be a non-empty string, got ${JSON.stringify(id)}.`,
    { file, line: record.lineNumber, hint: 'Give every line a string "_id".' },
  );
}

function readText(record: JsonRecord, file: string): string {
  const text = record.value.text;
  if (typeof text === "string") return text;
  throw new DatasetError(
    text === undefined ? "Missing text." : `text must be a string, got ${JSON.stringify(text)}.`,
    { file, line: record.lineNumber, hint: 'Give every line a string "text" (it may be empty).' },
  );
}

function readTitle(record: JsonRecord, file: string): string {
  const title = record.value.title;
  if (title === undefined || title === null) return "";
  if (typeof title === "string") return title;
  throw new DatasetError(`title must be a string, got ${JSON.stringify(title)}.`, {
    file,
    line: record.lineNumber,
    hint: 'Write the title as a string, "" or leave it out.',
  });
}

async function readQrels(
  { qrels: files, queries, corpus }: RetrievalFiles,
  hash: ReturnType<typeof sha256>,
  queryIds: ReadonlySet<string>,
  documentIds: ReadonlySet<string>,
  signal: AbortSignal | undefined,
): Promise<{ qrels: Qrels; warnings: string[] }> {
  const qrels: Qrels = new Map();
  const unknownQueries = new Counter();
  const unknownDocuments = new Counter();
  let repeatedPairs = 0;
  const firstLineOf = new Map<string, number>();
  const keep = (judgment: Judgment, file: string) => {
    const { queryId, documentId, grade, lineNumber } = judgment;
    if (!queryIds.has(queryId)) {
      unknownQueries.add(queryId);
      return;
    }
    // Kept, as BEIR's loader and pytrec_eval keep them: such a judgment counts as relevant (recall and
    // MAP denominators, ideal DCG) but can never be retrieved. Dropping it would inflate every score.
    if (!documentIds.has(documentId)) unknownDocuments.add(documentId);
    let judgments = qrels.get(queryId);
    if (!judgments) {
      judgments = new Map();
      qrels.set(queryId, judgments);
    }
    const pair = `${queryId}\t${documentId}`;
    const previous = judgments.get(documentId);
    if (previous !== undefined) {
      if (previous !== grade) {
        throw new DatasetError(
          `Conflicting grades for query "${queryId}" and document "${documentId}": ${previous} on line ${firstLineOf.get(pair)}, ${grade} here.`,
          { file, line: lineNumber, hint: "Keep one judgment per query and document." },
        );
      }
      repeatedPairs += 1;
      return;
    }
    firstLineOf.set(pair, lineNumber);
    judgments.set(documentId, grade);
  };
  for (const file of files) {
    for await (const judgment of readJudgments(file, { hash, ...(signal ? { signal } : {}) }))
      keep(judgment, file);
  }
  const where = files.join(", ");
  const warnings: string[] = [];
  if (unknownQueries.total > 0) {
    warnings.push(
      `${where}: ${unknownQueries.total} judgment(s) name ${unknownQueries.distinct} query id(s) absent from ${names(queries)} (ignored): ${unknownQueries.describe()}.`,
    );
  }
  if (unknownDocuments.total > 0) {
    warnings.push(
      `${where}: ${unknownDocuments.total} judgment(s) name ${unknownDocuments.distinct} document id(s) absent from ${names(corpus)} (kept, as MTEB keeps them: they count as relevant but cannot be retrieved): ${unknownDocuments.describe()}.`,
    );
  }
  if (repeatedPairs > 0) {
    warnings.push(`${where}: ${repeatedPairs} repeated judgment line(s) with the same grade (counted once).`);
  }
  return { qrels, warnings };
}

/** Counts lines and distinct ids, remembering the first few ids for a summarised warning. */
class Counter {
  total = 0;
  private readonly ids = new Set<string>();
  get distinct(): number {
    return this.ids.size;
  }
  add(id: string): void {
    this.total += 1;
    this.ids.add(id);
  }
  describe(): string {
    const quoted = [...this.ids].slice(0, quotedIdCount).map((id) => `"${id}"`);
    return this.ids.size > quotedIdCount ? `${quoted.join(", ")}, ...` : quoted.join(", ");
  }
}

function names(files: readonly string[]): string {
  return files.map((file) => basename(file)).join(", ");
}
