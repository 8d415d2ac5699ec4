/**
 * Loads a retrieval dataset stored as a BEIR folder:
 *
 *   corpus.jsonl        one JSON object a line: {"_id", "title", "text"}
 *   queries.jsonl       one JSON object a line: {"_id", "text"}
 *   qrels/<split>.tsv   tab-separated `query-id  corpus-id  score`, with a header row
 *
 * Each file may instead be gzipped (`corpus.jsonl.gz`, ...). Layout as published by BEIR
 * (https://github.com/beir-cellar/beir/wiki/Load-your-custom-dataset) and used by MTEB.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { parseRelevanceGrade } from "../trec/relevance-grade.js";
import { type JsonRecord, readJsonLines, readLines, sha256 } from "./read-lines.js";
import type { CorpusDocument, Qrels, Query, RetrievalDataset } from "./retrieval-dataset.js";

export interface LoadBeirFolderOptions {
  folder: string;
  split: string;
  /** Task name recorded in results, e.g. "quickstart". */
  name: string;
  signal?: AbortSignal;
}

const requiredFiles = "corpus.jsonl, queries.jsonl and qrels/<split>.tsv (each may be gzipped as .gz)";
/** How many ids a summarised warning or error quotes before "...". */
const quotedIdCount = 5;

/**
 * Reads the corpus, the queries and one split's judgments. Queries are kept in file order but
 * restricted to those with at least one judgment in the split (grade 0 included), as BEIR's
 * GenericDataLoader and MTEB do: the others are not scored, so embedding them would be wasted.
 */
export async function loadBeirFolder(options: LoadBeirFolderOptions): Promise<RetrievalDataset> {
  const { folder, split, name, signal } = options;
  await requireFolder(folder);
  const corpusFile = await findFile(folder, "corpus.jsonl");
  const queriesFile = await findFile(folder, "queries.jsonl");
  const qrelsFile = await findQrelsFile(folder, split);

  const corpusHash = sha256();
  const { items: corpus, ids: documentIds } = await readIdentifiedRecords(
    corpusFile,
    "document",
    { hash: corpusHash, signal },
    (record, id): CorpusDocument => ({
      id,
      title: readTitle(record, corpusFile),
      text: readText(record, corpusFile),
    }),
  );
  if (corpus.length === 0) {
    throw new DatasetError("The corpus is empty: no document to retrieve.", {
      file: corpusFile,
      hint: 'Add one JSON object a line: {"_id": "d1", "title": "...", "text": "..."}.',
    });
  }

  const queriesHash = sha256();
  const { items: allQueries, ids: queryIds } = await readIdentifiedRecords(
    queriesFile,
    "query",
    { hash: queriesHash, signal },
    (record, id): Query => ({ id, text: readText(record, queriesFile) }),
  );

  const qrelsHash = sha256();
  const { qrels, warnings } = await readQrels(qrelsFile, qrelsHash, queryIds, documentIds, signal);
  if (qrels.size === 0) {
    throw new DatasetError(`No query of ${queriesFile} has a judgment in split "${split}".`, {
      file: qrelsFile,
      hint: "Check that the query-id column of the qrels file uses the _id values of queries.jsonl.",
    });
  }

  // The hash of each file's stored bytes, combined with the file's role, so the revision is stable
  // across machines and changes whenever any of the three files changes.
  const combined = sha256();
  combined.update(`corpus ${corpusHash.digest("hex")}\n`);
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

/**
 * The text a model embeds for a document, MTEB's rule: `(title + " " + text).strip()` when the
 * title is non-empty, else `text.strip()`.
 */
export function documentText(document: Pick<CorpusDocument, "title" | "text">): string {
  return pythonStrip(document.title ? `${document.title} ${document.text}` : document.text);
}

/**
 * Python's str.strip(): removes the characters str.isspace() accepts. It differs from JavaScript's
 * trim() on three points that would change the text sent to a model: Python also strips the
 * separators U+001C..U+001F and NEL (U+0085), and does not strip the byte-order mark U+FEFF.
 */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start += 1;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

async function requireFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new DatasetError(`Dataset folder ${folder} does not exist or is not a folder.`, {
      file: folder,
      hint: `A BEIR folder holds ${requiredFiles}.`,
    });
  }
}

async function findFile(folder: string, fileName: string): Promise<string> {
  for (const candidate of [fileName, `${fileName}.gz`]) {
    const path = join(folder, candidate);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) return path;
  }
  throw new DatasetError(`${fileName} is missing from ${folder}.`, {
    file: join(folder, fileName),
    hint: `A BEIR folder holds ${requiredFiles}.`,
  });
}

async function findQrelsFile(folder: string, split: string): Promise<string> {
  const qrelsFolder = join(folder, "qrels");
  const entries = await readdir(qrelsFolder).catch(() => undefined);
  if (entries === undefined) {
    throw new DatasetError(`The qrels folder is missing from ${folder}.`, {
      file: qrelsFolder,
      hint: `A BEIR folder holds ${requiredFiles}.`,
    });
  }
  for (const candidate of [`${split}.tsv`, `${split}.tsv.gz`]) {
    if (entries.includes(candidate)) return join(qrelsFolder, candidate);
  }
  const splits = entries
    .filter((entry) => entry.endsWith(".tsv") || entry.endsWith(".tsv.gz"))
    .map((entry) => entry.replace(/\.tsv(\.gz)?$/, ""))
    .sort();
  throw new DatasetError(`Split "${split}" not found: ${qrelsFolder} has no ${split}.tsv.`, {
    file: join(qrelsFolder, `${split}.tsv`),
    hint:
      splits.length > 0
        ? `Splits present: ${splits.join(", ")}. Choose one of them in the task's splits.`
        : `The qrels folder holds no .tsv file; add qrels/${split}.tsv.`,
  });
}

/** Reads a JSON Lines file of records with `_id`s (corpus or queries), refusing an id seen before. */
async function readIdentifiedRecords<T>(
  file: string,
  kind: "document" | "query",
  reading: Parameters<typeof readJsonLines>[1],
  build: (record: JsonRecord, id: string) => T,
): Promise<{ items: T[]; ids: Set<string> }> {
  const items: T[] = [];
  const ids = new Set<string>();
  for await (const record of readJsonLines(file, reading)) {
    const id = readId(record, file);
    if (ids.has(id)) {
      throw new DatasetError(`Duplicate ${kind} id "${id}".`, {
        file,
        line: record.lineNumber,
        hint: `Every ${kind} needs its own _id; remove or rename the duplicate.`,
      });
    }
    ids.add(id);
    items.push(build(record, id));
  }
  return { items, ids };
}
function readId(record: JsonRecord, file: string): string {
  const id = record.value._id;
  if (typeof id === "string" && id !== "") return id;
  // Some BEIR exports write numeric ids (e.g. 4983 instead of "4983"); qrels name them as text,
  // so a number is accepted and converted to its decimal string.
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw new DatasetError(
    id === undefined ? "Missing _id." : `_id must be a non-empty string, got ${JSON.stringify(id)}.`,
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
  file: string,
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
  for await (const { line, lineNumber } of readLines(file, { hash, signal })) {
    if (line.trim() === "") continue;
    const columns = line.split("\t");
    if (columns.length !== 3) {
      throw new DatasetError(
        `Expected 3 tab-separated columns (query-id, corpus-id, score), got ${columns.length}.`,
        {
          file,
          line: lineNumber,
          hint:
            columns.length === 1 && line.includes(" ")
              ? "Columns are separated by spaces; BEIR qrels use tabs."
              : "Write each judgment as `query-id<TAB>corpus-id<TAB>score`.",
        },
      );
    }
    const [queryId = "", documentId = "", scoreText = ""] = columns.map((column) => column.trim());
    const grade = parseRelevanceGrade(scoreText);
    // BEIR's loader always skips the first row as the header; we skip it only when it is not a
    // judgment, so a headerless file does not silently lose its first line.
    if (lineNumber === 1 && grade === undefined) continue;
    if (grade === undefined) {
      throw new DatasetError(`Score must be an integer grade, got "${scoreText}".`, {
        file,
        line: lineNumber,
        hint: "Relevance grades are whole numbers such as 0, 1, 2.",
      });
    }
    if (queryId === "" || documentId === "") {
      throw new DatasetError("Empty query-id or corpus-id.", { file, line: lineNumber });
    }
    if (!queryIds.has(queryId)) {
      unknownQueries.add(queryId);
      continue;
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
      continue;
    }
    firstLineOf.set(pair, lineNumber);
    judgments.set(documentId, grade);
  }
  const warnings: string[] = [];
  if (unknownQueries.total > 0) {
    warnings.push(
      `${file}: ${unknownQueries.total} judgment(s) name ${unknownQueries.distinct} query id(s) absent from queries.jsonl (ignored): ${unknownQueries.describe()}.`,
    );
  }
  if (unknownDocuments.total > 0) {
    warnings.push(
      `${file}: ${unknownDocuments.total} judgment(s) name ${unknownDocuments.distinct} document id(s) absent from corpus.jsonl (kept, as MTEB keeps them: they count as relevant but cannot be retrieved): ${unknownDocuments.describe()}.`,
    );
  }
  if (repeatedPairs > 0) {
    warnings.push(`${file}: ${repeatedPairs} repeated judgment line(s) with the same grade (counted once).`);
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
