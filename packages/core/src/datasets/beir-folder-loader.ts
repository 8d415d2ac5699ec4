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
import type { CorpusSnapshotOptions } from "./corpus-snapshot.js";
import type { CorpusDocument, RetrievalDataset } from "./retrieval-dataset.js";
import { loadRetrievalFiles } from "./retrieval-files-loader.js";

export interface LoadBeirFolderOptions {
  folder: string;
  split: string;
  /** Task name recorded in results, e.g. "quickstart". */
  name: string;
  signal?: AbortSignal;
  /** Keep the parsed corpus for the next run (see corpus-snapshot.ts). */
  corpusSnapshots?: CorpusSnapshotOptions;
}

const requiredFiles = "corpus.jsonl, queries.jsonl and qrels/<split>.tsv (each may be gzipped as .gz)";

/**
 * Reads the corpus, the queries and one split's judgments of a BEIR folder (see loadRetrievalFiles for
 * what is kept and how the content hash is made).
 */
export async function loadBeirFolder(options: LoadBeirFolderOptions): Promise<RetrievalDataset> {
  const { folder, split, name, signal, corpusSnapshots } = options;
  await requireFolder(folder);
  const files = {
    corpus: [await findFile(folder, "corpus.jsonl")],
    queries: [await findFile(folder, "queries.jsonl")],
    qrels: [await findQrelsFile(folder, split)],
  };
  return loadRetrievalFiles({
    files,
    split,
    name,
    ...(signal ? { signal } : {}),
    ...(corpusSnapshots ? { corpusSnapshots } : {}),
  });
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
